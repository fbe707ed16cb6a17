"""Routes of Nomad Variables: /v1/vars (list) and /v1/var/<path> (read, write, delete).

    GET    /v1/vars?prefix=&namespace=        [VariableMetadata] the caller may list
    GET    /v1/var/<path>                     Variable, 404 "variable not found"
    PUT    /v1/var/<path>?cas=<index>         Variable as written; 409 + the current one
    DELETE /v1/var/<path>?cas=<index>         204; 409 + the current one

Capabilities are `variables` rules (`list`, `read`, `write`, `destroy`), or a task's
implicit read of its own `nomad/jobs/...` paths when the token is its workload
identity. A conflict shows the current Items only to a caller that may read them.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl.authorize import authorize_variable
from caravan.acl.identity import Caller
from caravan.errors import InvalidInput, NotFound, PermissionDenied
from caravan.http.auth import caller_for
from caravan.http.context import server_of
from caravan.http.query import blocking_index, json_response, query_options, read_json
from caravan.server.variables import CasConflict
from caravan.structs.variables import Variable

TABLE = "variables"
_LOCK_PARAMS = ("lock-acquire", "lock-release", "lock-renew")


async def list_variables(request: Request) -> Response:
    opts = query_options(request)
    caller = await caller_for(request)
    index = await blocking_index(request, opts, TABLE)
    listed = server_of(request).variables.list(
        opts.namespace, opts.prefix, lambda ns, path: _may(caller, ns, path, "list"))
    return json_response(listed, index=index, pretty=opts.pretty)


async def read_variable(request: Request) -> Response:
    opts = query_options(request)
    path = _path(request)
    authorize_variable(await caller_for(request), opts.namespace, path, "read")
    index = await blocking_index(request, opts, TABLE)
    found = server_of(request).variables.read(opts.namespace, path)
    if found is None:
        raise NotFound("variable not found")
    return json_response(found, index=index, pretty=opts.pretty)


async def write_variable(request: Request) -> Response:
    path = _path(request)
    if any(p in request.query_params for p in _LOCK_PARAMS):
        raise InvalidInput("variable locks are not supported by caravan")
    raw = await read_json(request)
    if not isinstance(raw, dict) or not raw.get("Items", raw.get("items")):
        raise InvalidInput("variable missing required Items object")
    var = Variable.model_validate(raw)
    var.namespace = _namespace(request, var.namespace)
    var.path = path
    caller = await caller_for(request)
    authorize_variable(caller, var.namespace, path, "write")
    try:
        written = server_of(request).variables.put(var, _cas(request))
    except CasConflict as conflict:
        return _conflict(caller, conflict)
    return json_response(written, index=written.modify_index)


async def delete_variable(request: Request) -> Response:
    path = _path(request)
    namespace = _namespace(request, "")
    caller = await caller_for(request)
    authorize_variable(caller, namespace, path, "destroy")
    try:
        index = server_of(request).variables.delete(namespace, path, _cas(request))
    except CasConflict as conflict:
        return _conflict(caller, conflict)
    return Response(status_code=204, headers={"X-Nomad-Index": str(index)})


def _conflict(caller: Caller | None, conflict: CasConflict) -> Response:
    current = conflict.conflict
    if not _may(caller, current.namespace, current.path, "read"):
        current = Variable(**current.metadata().model_dump())
    return json_response(current, index=current.modify_index, status=409)


def _may(caller: Caller | None, namespace: str, path: str, capability: str) -> bool:
    try:
        authorize_variable(caller, namespace, path, capability)
    except PermissionDenied:
        return False
    return True


def _path(request: Request) -> str:
    path = str(request.path_params.get("path", ""))
    if not path:
        raise InvalidInput("missing variable path")
    return path


def _namespace(request: Request, from_body: str) -> str:
    return request.query_params.get("namespace") or from_body or "default"


def _cas(request: Request) -> int | None:
    raw = request.query_params.get("cas")
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
        if value < 0:
            raise ValueError(raw)
    except ValueError:
        raise InvalidInput(f'can not parse cas: strconv.ParseUint: parsing "{raw}": '
                           "invalid syntax") from None
    return value


async def _missing(request: Request) -> Response:
    raise InvalidInput("missing variable path")


routes = [
    Route("/v1/vars", list_variables, methods=["GET"]),
    Route("/v1/var/", _missing, methods=["GET", "PUT", "POST", "DELETE"]),
    Route("/v1/var/{path:path}", read_variable, methods=["GET"]),
    Route("/v1/var/{path:path}", write_variable, methods=["PUT", "POST"]),
    Route("/v1/var/{path:path}", delete_variable, methods=["DELETE"]),
]

