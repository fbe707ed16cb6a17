"""GET /v1/client/stats[?node_id=]: a client host's usage (Nomad's HostStats).

Served by the agent whose client is the node; any other agent forwards the request to
that node's HTTP address (a client-only agent through its server). Needs node:read.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.errors import InvalidInput, NotFound
from caravan.http.auth import authorize
from caravan.http.context import agent_of
from caravan.http.forward import NoPathToNode, forward
from caravan.http.query import json_response


async def host_stats(request: Request) -> Response:
    await authorize(request, Coarse.NODE_READ)
    ctx = agent_of(request)
    node_id = request.query_params.get("node_id", "")
    if ctx.client is not None and node_id in ("", ctx.client.node_id):
        return json_response(await ctx.client.host_stats())
    if not node_id:
        raise InvalidInput("this agent runs no client: name one with ?node_id=")
    if ctx.server is None:
        assert ctx.client is not None  # an agent runs a server, a client or both
        return await forward(request, ctx.client.servers()[0])
    node = ctx.server.nodes.find(node_id)
    if node is None:
        raise NotFound(f'Unknown node "{node_id}"')
    if not node.http_addr or node.http_addr == ctx.http_addr:
        raise NoPathToNode("No path to node")
    return await forward(request, node.http_addr)


routes = [Route("/v1/client/stats", host_stats, methods=["GET"])]
