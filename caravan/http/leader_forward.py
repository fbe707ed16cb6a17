"""Any server answers: writes that reach a follower go to the leader; reads stay local.

A write that arrives while no leader is known, or while the one known has just died,
is held (as Nomad holds an RPC, up to its 5 s `rpc_hold_timeout`) until an election
names one, rather than refused at once: a client retries nothing by itself.

Every answer of a server in a cluster says whether it knows a leader and how long
ago it last heard from etcd (`X-Nomad-KnownLeader`, `X-Nomad-LastContact`), as
Nomad's servers do from Raft.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp

from caravan.http.context import AgentContext
from caravan.http.forward import NoPathToNode, forward
from caravan.server.cluster.errors import NoLeader

if TYPE_CHECKING:  # the etcd client loads only on servers in a cluster
    from caravan.server.cluster.leadership import Leadership

_READS = {"GET", "HEAD", "OPTIONS"}
_LOCAL = ("/v1/client/", "/v1/agent/", "/v1/regions", "/v1/status/")
FORWARDED = "X-Caravan-Forwarded"
HOLD_S = 5.0  # Nomad's rpc_hold_timeout
_RETRY_S = 0.05


class ForwardToLeader(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, ctx: AgentContext) -> None:
        super().__init__(app)
        self._ctx = ctx

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        server = self._ctx.require_server()
        leadership = server.leadership
        if leadership is None:
            return await call_next(request)
        path = request.url.path
        write = request.method not in _READS and path.startswith("/v1/") \
            and not path.startswith(_LOCAL)
        if write and not leadership.is_leader:
            if request.headers.get(FORWARDED):  # sent here by a server that took us for the leader
                return PlainTextResponse("No cluster leader", status_code=500)
            held = await _to_leader(request, leadership, time.monotonic() + HOLD_S)
            if held is not None:
                return held
        if not write and not leadership.is_leader and path.startswith("/v1/") \
                and not path.startswith(_LOCAL) and "stale" not in request.query_params:
            # Nomad's default is a consistent read; `?stale` may answer from memory as is.
            try:
                await leadership.catch_up()
            except NoLeader as e:  # etcd unreachable, or the watch fell behind
                return PlainTextResponse(e.message, status_code=500)
        response = await call_next(request)
        if "x-nomad-index" in response.headers:
            response.headers["X-Nomad-KnownLeader"] = str(leadership.leader is not None).lower()
            response.headers["X-Nomad-LastContact"] = str(leadership.last_contact_ms())
        return response


async def _to_leader(request: Request, leadership: Leadership,
                     deadline: float) -> Response | None:
    """Forward a write to the leader once one is known and answers; None when this server
    became the leader meanwhile (it handles the write itself)."""
    while True:
        if leadership.is_leader:
            return None
        leader = leadership.leader
        if leader is not None:
            try:
                # Marked, so that a server that is not the leader either refuses it rather
                # than sending it on again (two servers with stale views would bounce it).
                return await forward(request, leader.http, headers={FORWARDED: "1"})
            except NoPathToNode:
                # The leader just died; its key lives until its lease runs out.
                if time.monotonic() >= deadline:
                    raise
        elif time.monotonic() >= deadline:
            return PlainTextResponse("No cluster leader", status_code=500)
        await asyncio.sleep(_RETRY_S)
