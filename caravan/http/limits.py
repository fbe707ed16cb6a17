"""ASGI middleware at the edge: body size limit, client routes held until the client has
restored its allocations, and client-only agents forwarding to a server."""

from __future__ import annotations

import re

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caravan.http.context import AgentContext
from caravan.http.forward import forward


class BodyLimit:
    """Refuse bodies over `max_bytes` with 413 before a handler reads them into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit_mib = self.max_bytes // (1024 * 1024)
        response = PlainTextResponse(f"Request body too large: the limit is {limit_mib} MiB",
                                     status_code=413)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class ClientRestored:
    """Hold `/v1/client/` requests until the client has its saved allocations back.

    The agent listens before its client starts (in -dev the client registers over this
    very listener), so for a moment after a restart the client holds none of the
    allocations it ran: a request then would be told an allocation it holds is unknown,
    or that its alloc dir was garbage collected."""

    def __init__(self, app: ASGIApp, ctx: AgentContext) -> None:
        self.app = app
        self._restored = ctx.client_restored  # set by the agent once its client started

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not self._restored.is_set() \
                and str(scope.get("path", "")).startswith("/v1/client/"):
            await self._restored.wait()
        await self.app(scope, receive, send)


_NODE_RPC = re.compile(
    r"^/v1/node/(register|[^/]+/heartbeat|[^/]+/allocations/update|[^/]+/exec-sessions|"
    r"[^/]+/identity)/?$")


class ForwardToServer(BaseHTTPMiddleware):
    """On a client-only agent, everything but /v1/client/* and /v1/agent/* goes to a server."""

    def __init__(self, app: ASGIApp, ctx: AgentContext) -> None:
        super().__init__(app)
        self._ctx = ctx

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        # The web UI is served by every agent; its API calls come back here and go on.
        local = path.startswith(("/v1/client/", "/v1/agent/", "/v1/regions", "/ui")) \
            or path in ("/", "/v1/metrics")  # an agent's metrics are its own
        if local or self._ctx.client is None:
            return await call_next(request)
        if _NODE_RPC.match(path):
            # Relayed, the call would carry this agent's certificate, not the caller's.
            return PlainTextResponse("node registration, heartbeats and allocation updates "
                                     "go to a server directly", status_code=400)
        servers = self._ctx.client.servers()
        if not servers:
            return PlainTextResponse("No known servers", status_code=500)
        return await forward(request, servers[0])
