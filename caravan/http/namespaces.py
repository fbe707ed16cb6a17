"""Routes under /v1/namespaces and /v1/namespace[/<name>].

Reads show only the namespaces the token may use at all; writes need a management
token. With ACLs disabled everything is allowed.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.errors import CaravanError, InvalidInput
from caravan.http.auth import acl_for, authorize
from caravan.http.context import AgentContext
from caravan.http.query import blocking_index, json_response, query_options, read_json
from caravan.server.namespace_endpoint import NamespaceEndpoint
from caravan.server.namespaces import NAMESPACE_TABLE
from caravan.structs.acl import Namespace


def namespace_endpoint(ctx: AgentContext) -> NamespaceEndpoint:
    """The server's namespace endpoint (`Server.namespaces`)."""
    endpoint = getattr(ctx.require_server(), "namespaces", None)
    if not isinstance(endpoint, NamespaceEndpoint):
        raise CaravanError("the server has no namespace endpoint (Server.namespaces is not set)")
    return endpoint


async def list_namespaces(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, NAMESPACE_TABLE)
    found, _ = namespace_endpoint(request.app.state.ctx).list(await acl_for(request),
                                                               opts.prefix)
    return json_response(found, index=index, pretty=opts.pretty)


async def read_namespace(request: Request) -> Response:
    opts = query_options(request)
    await blocking_index(request, opts, NAMESPACE_TABLE)
    namespace, index = namespace_endpoint(request.app.state.ctx).get(
        await acl_for(request), request.path_params["name"])
    return json_response(namespace, index=index, pretty=opts.pretty)


async def apply_namespace(request: Request) -> Response:
    await authorize(request, Coarse.MANAGEMENT)
    namespace = Namespace.model_validate(await read_json(request))
    name = request.path_params.get("name")
    if name is not None and namespace.name != name:
        raise InvalidInput("Namespace name does not match request path")
    index = namespace_endpoint(request.app.state.ctx).upsert(namespace)
    return Response(b"", headers={"X-Nomad-Index": str(index)})


async def delete_namespace(request: Request) -> Response:
    await authorize(request, Coarse.MANAGEMENT)
    index = namespace_endpoint(request.app.state.ctx).delete(request.path_params["name"])
    return Response(b"", headers={"X-Nomad-Index": str(index)})


routes = [
    Route("/v1/namespaces", list_namespaces, methods=["GET"]),
    Route("/v1/namespace", apply_namespace, methods=["PUT", "POST"]),
    Route("/v1/namespace/{name}", read_namespace, methods=["GET"]),
    Route("/v1/namespace/{name}", apply_namespace, methods=["PUT", "POST"]),
    Route("/v1/namespace/{name}", delete_namespace, methods=["DELETE"]),
]
