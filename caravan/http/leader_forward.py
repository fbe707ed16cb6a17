"""Any server answers: writes that reach a follower go to the leader; reads stay local.

Every answer of a server in a cluster says whether it knows a leader and how long
ago it last heard from etcd (`X-Nomad-KnownLeader`, `X-Nomad-LastContact`), as
Nomad's servers do from Raft.
"""

from __future__ import annotations

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp

from caravan.http.context import AgentContext
from caravan.http.forward import forward
from caravan.server.cluster.errors import NoLeader

_READS = {"GET", "HEAD", "OPTIONS"}
_LOCAL = ("/v1/client/", "/v1/agent/", "/v1/regions", "/v1/status/")
FORWARDED = "X-Caravan-Forwarded"


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
            leader = leadership.leader
            if leader is None or request.headers.get(FORWARDED):
                return PlainTextResponse("No cluster leader", status_code=500)
            request.scope["headers"] = [*request.scope["headers"],
                                        (FORWARDED.lower().encode(), b"1")]
            return await forward(request, leader.http)
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
