"""uvicorn's HTTP and WebSocket protocols, telling the app who is on the other end of TLS.

uvicorn does not fill the ASGI TLS extension; these subclasses put the caller's verified
certificate into `scope["extensions"]["tls"]["client_cert_chain"]` (PEM, leaf first) for
every request of the connection, which is what the node routes check a role against.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


def tls_extension(transport: asyncio.BaseTransport) -> dict[str, Any] | None:
    ssl_object = transport.get_extra_info("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject):
        return None
    der = ssl_object.getpeercert(binary_form=True)
    chain = [ssl.DER_cert_to_PEM_cert(der)] if der else []
    return {"client_cert_chain": chain, "client_cert_name": None, "client_cert_error": None,
            "server_cert": None, "tls_version": None, "cipher_suite": None}


class _WithTLS:
    def __init__(self, app: ASGIApp, extension: dict[str, Any]) -> None:
        self.app = app
        self.extension = extension

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope.setdefault("extensions", {})["tls"] = self.extension
        await self.app(scope, receive, send)


class TLSH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        extension = tls_extension(transport)
        if extension is not None:
            self.app = _WithTLS(self.app, extension)


class TLSWebSocketProtocol(WebSocketsSansIOProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        extension = tls_extension(transport)
        if extension is not None:
            self.app = _WithTLS(self.app, extension)
