"""uvicorn's h11 protocol with read deadlines, so slow or silent clients cannot pin connections.

uvicorn closes a keep-alive connection that stays idle after a response, but not one
that never sends anything, nor one that sends half a request head and stops (any byte
cancels its timer), nor one that stops half-way through a body (CVE-2020-7218's class:
unauthenticated connections without limits). Go's http.Server has ReadHeaderTimeout
and ReadTimeout for this; here:

    connection made ──head deadline──▶ request head complete ──read deadline──▶ body done
          ▲                                                                         │
          └──── first byte of the next request (after uvicorn's keep-alive) ◀──────┘

A missed deadline closes the connection. WebSocket upgrades hand the connection to
another protocol object; the deadlines stop there (the exec session has its own).

With Nomad's `limits { http_max_conns_per_client }` set (caravan's default: no limit),
one client IP may hold that many connections, WebSockets included; the next is
answered 429 and closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState


class DeadlineH11Protocol(H11Protocol):
    """Construct through `with_deadlines(...)`, which binds the two timeouts."""

    head_timeout_s = 10.0
    read_timeout_s = 60.0
    max_conns_per_client = 0  # no limit

    def __init__(self, config: Config, server_state: ServerState, **kwargs: Any) -> None:
        super().__init__(config, server_state, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._armed_for = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self._over_connection_limit():
            transport.write(_TOO_MANY_CONNS)
            transport.close()
            return
        self._arm(self.head_timeout_s)

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm(self.head_timeout_s)  # the first byte of a new request
        super().data_received(data)
        self._follow_state()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _over_connection_limit(self) -> bool:
        if not self.max_conns_per_client or self.client is None:
            return False
        # uvicorn's set of open connections holds every protocol object (WebSockets too).
        held = sum(1 for conn in self.connections if _client_ip(conn) == self.client[0])
        return held > self.max_conns_per_client

    def _follow_state(self) -> None:
        state = self.conn.their_state
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            self._disarm()  # closed, or upgraded to a WebSocket
        elif state is h11.SEND_BODY and self._armed_for != self.read_timeout_s:
            self._arm(self.read_timeout_s)
        elif state is not h11.IDLE and state is not h11.SEND_BODY:
            self._disarm()  # the whole request is in (or the connection is done)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._armed_for = seconds
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._armed_for = 0.0

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.get_protocol() is not self:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
            self.cycle.message_event.set()  # a handler waiting for the body sees a disconnect
        self.transport.close()


def with_deadlines(head_timeout_s: float, read_timeout_s: float, max_conns_per_client: int,
                   base: type[H11Protocol] = H11Protocol) -> type[DeadlineH11Protocol]:
    """The protocol class to give `uvicorn.Config(http=...)`. `base` is another H11Protocol
    subclass to keep (an HTTPS agent's, which tells routes the caller's certificate): the
    deadlines and the connection limit then sit on top of it."""
    return type("DeadlineH11Protocol", (DeadlineH11Protocol, base),
                {"head_timeout_s": head_timeout_s, "read_timeout_s": read_timeout_s,
                 "max_conns_per_client": max_conns_per_client})


def _client_ip(conn: object) -> str | None:
    client = getattr(conn, "client", None)
    return str(client[0]) if isinstance(client, tuple) and client else None


_TOO_MANY_MESSAGE = (b"Your IP is issuing too many concurrent connections, please rate limit "
                     b"your calls\n")
_TOO_MANY_CONNS = (b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\n"
                   b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                   % (len(_TOO_MANY_MESSAGE), _TOO_MANY_MESSAGE))
