"""`/v1/client/metadata` (GET reads, POST applies) a node's dynamic metadata, answered by
the client agent that owns it; any other agent forwards the request there (a server by
the node's address, a client-only agent through its server)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.errors import InvalidInput, NotFound
from caravan.http.auth import authorize
from caravan.http.context import agent_of
from caravan.http.forward import NoPathToNode, forward
from caravan.http.query import json_response, read_json
from caravan.structs.node_meta import NodeMetaApplyRequest, check_meta_keys


async def metadata(request: Request) -> Response:
    writing = request.method == "POST"
    await authorize(request, Coarse.NODE_WRITE if writing else Coarse.NODE_READ)
    node_id = request.query_params.get("node_id", "")
    changes: dict[str, str | None] = {}
    if writing:
        body = NodeMetaApplyRequest.model_validate(await read_json(request))
        changes = check_meta_keys(body.meta)
        node_id = node_id or body.node_id
    ctx = agent_of(request)
    client = ctx.client
    if client is not None and node_id in ("", client.node_id):
        reply = await client.apply_node_meta(changes) if writing else client.node_meta()
        return json_response(reply)
    if not node_id:
        raise InvalidInput("No local Node and node_id not provided")
    if ctx.server is None:
        assert client is not None
        if not client.servers():
            raise NoPathToNode("No path to node")
        return await forward(request, client.servers()[0])
    node = ctx.server.nodes.find(node_id)
    if node is None:
        raise NotFound(f'Unknown node "{node_id}"')
    if not node.http_addr or node.http_addr == ctx.http_addr:
        raise NoPathToNode("No path to node")
    return await forward(request, node.http_addr)


routes = [Route("/v1/client/metadata", metadata, methods=["GET", "POST"])]
