"""Routes under /v1/namespaces and /v1/namespace[/<name>].

Reads show only the namespaces the token may use at all; writes need a management
token. With ACLs disabled everything is allowed.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.errors import InvalidInput
from caravan.http.auth import authorize_management, authorize_namespace, namespace_use_filter
from caravan.http.context import server_of
from caravan.http.query import blocking_index, json_response, query_options, read_json
from caravan.server.namespaces import NAMESPACE_TABLE
from caravan.structs.acl import Namespace


async def list_namespaces(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, NAMESPACE_TABLE)
    found, _ = server_of(request).namespaces.list(opts.prefix,
                                                  await namespace_use_filter(request))
    return json_response(found, index=index, pretty=opts.pretty)


async def read_namespace(request: Request) -> Response:
    opts = query_options(request)
    await blocking_index(request, opts, NAMESPACE_TABLE)
    name = request.path_params["name"]
    await authorize_namespace(request, name)  # 403 before 404: existence is not revealed
    namespace, index = server_of(request).namespaces.get(name)
    return json_response(namespace, index=index, pretty=opts.pretty)


async def apply_namespace(request: Request) -> Response:
    await authorize_management(request)
    namespace = Namespace.model_validate(await read_json(request))
    name = request.path_params.get("name")
    if name is not None and namespace.name != name:
        raise InvalidInput("Namespace name does not match request path")
    index = server_of(request).namespaces.upsert(namespace)
    return Response(b"", headers={"X-Nomad-Index": str(index)})


async def delete_namespace(request: Request) -> Response:
    await authorize_management(request)
    index = server_of(request).namespaces.delete(request.path_params["name"])
    return Response(b"", headers={"X-Nomad-Index": str(index)})


routes = [
    Route("/v1/namespaces", list_namespaces, methods=["GET"]),
    Route("/v1/namespace", apply_namespace, methods=["PUT", "POST"]),
    Route("/v1/namespace/{name}", read_namespace, methods=["GET"]),
    Route("/v1/namespace/{name}", apply_namespace, methods=["PUT", "POST"]),
    Route("/v1/namespace/{name}", delete_namespace, methods=["DELETE"]),
]
