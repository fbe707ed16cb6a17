"""`/v1/client/allocation/<id>/gc` and `/v1/client/gc`: a client removes the dirs of its
terminal allocations now (the server keeps the allocations until its own GC).

As in Nomad: collecting one allocation needs `submit-job` in its namespace, collecting
a whole node `node:write`; either is answered by the agent whose client holds the
allocations (any agent forwards there) with an empty 200.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.acl import NamespaceCapability as NS
from caravan.errors import InvalidInput, NotFound
from caravan.http.auth import authorize
from caravan.http.client_allocs import _local_or_forward
from caravan.http.context import agent_of, client_of
from caravan.http.forward import NoPathToNode, forward


async def alloc_gc(request: Request) -> Response:
    alloc_id = request.path_params["alloc_id"]
    ctx = agent_of(request)
    try:
        forwarded = await _local_or_forward(request, alloc_id, NS.SUBMIT_JOB)
    except NoPathToNode:
        if ctx.client is None:
            raise
        forwarded = None   # this agent's node holds it, and has collected it already
    if forwarded is not None:
        return forwarded
    client = client_of(request)
    runner = client.alloc_runner(alloc_id)
    if runner is not None and not all(r.is_dead for r in runner.tasks.values()):
        raise InvalidInput(f'allocation "{alloc_id}" is still running: only terminal '
                           "allocations are collected (stop it first)")
    if not await client.collect_alloc(alloc_id):
        raise NotFound(f'Unknown allocation "{alloc_id}"')
    return Response(status_code=200)


async def node_gc(request: Request) -> Response:
    await authorize(request, Coarse.NODE_WRITE)
    ctx = agent_of(request)
    node_id = request.query_params.get("node_id", "")
    if ctx.client is not None and node_id in ("", ctx.client.node_id):
        await ctx.client.collect_all_allocs()
        return Response(status_code=200)
    if not node_id:
        raise InvalidInput("No local Node and node_id not provided")
    node = ctx.require_server().nodes.find(node_id)
    if node is None:
        raise NotFound(f'Unknown node "{node_id}"')
    if not node.http_addr or node.http_addr == ctx.http_addr:
        raise NoPathToNode("No path to node")
    return await forward(request, node.http_addr)


routes = [Route("/v1/client/allocation/{alloc_id}/gc", alloc_gc, methods=["PUT", "GET"]),
          Route("/v1/client/gc", node_gc, methods=["PUT", "GET"])]
