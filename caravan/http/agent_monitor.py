"""`GET /v1/agent/monitor`: this agent's log records as they are written.

    ?log_level=info|debug|trace|warn|error   ?log_json=true   ?plain=true
    ?node_id=<id>   the agent of that node (forwarded there)

Nomad's framing: one JSON `StreamFrame` per batch, `{"Data": "<base64 of the lines>"}`,
and `{}` every 10 s when nothing was logged; `plain=true` sends the lines as text.
Needs agent:read, as in Nomad.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.errors import InvalidInput, NotFound
from caravan.http.auth import authorize
from caravan.http.context import AgentContext, agent_of
from caravan.http.forward import forward
from caravan.http.log_hub import HUB, LEVELS, Subscriber
from caravan.http.query import parse_bool

HEARTBEAT_S = 10.0
log = logging.getLogger(__name__)


async def monitor(request: Request) -> Response:
    params = request.query_params
    level_name = (params.get("log_level") or "INFO").upper()
    if level_name not in LEVELS:
        raise InvalidInput(f"Unknown log level: {params.get('log_level')}")
    as_json = parse_bool(params.get("log_json"), "log_json")
    plain = parse_bool(params.get("plain"), "plain")
    if params.get("node_id") and params.get("server_id"):
        raise InvalidInput("Cannot target node and server simultaneously")
    await authorize(request, Coarse.AGENT_READ)
    elsewhere = _other_agent(agent_of(request), params.get("node_id", ""))
    if elsewhere is not None:
        return await forward(request, elsewhere)
    sub = Subscriber(LEVELS[level_name], as_json)
    media = "text/plain" if plain else "application/json"
    peer = request.client.host if request.client is not None else "?"
    return StreamingResponse(_frames(sub, plain, f"{level_name} to {peer}"), media_type=media)


def _other_agent(ctx: AgentContext, node_id: str) -> str | None:
    """The address to forward to when `node_id` names another agent's node."""
    if not node_id or (ctx.client is not None and ctx.client.node_id == node_id):
        return None
    if ctx.server is None:
        servers = ctx.client.servers() if ctx.client is not None else []
        if not servers:
            raise InvalidInput("No known servers")
        return servers[0]
    node = ctx.server.nodes.find(node_id)
    if node is None or not node.http_addr:
        raise NotFound(f'Unknown node "{node_id}"')
    return node.http_addr


async def _frames(sub: Subscriber, plain: bool, whom: str) -> AsyncIterator[bytes]:
    HUB.subscribe(sub)
    # Who reads the agent's logs is worth a line of its own (and the reader sees it first).
    log.info("monitor: streaming this agent's logs at level %s", whom)
    try:
        if not plain:
            yield b"{}\n"  # sent at once: the caller knows the stream is open
        while True:
            lines = await sub.lines(HEARTBEAT_S)
            data = "".join(lines).encode()
            if plain:
                if data:
                    yield data
                continue
            frame = {"Data": base64.b64encode(data).decode()} if data else {}
            yield json.dumps(frame).encode() + b"\n"
    finally:
        HUB.unsubscribe(sub)


routes = [Route("/v1/agent/monitor", monitor, methods=["GET"])]
