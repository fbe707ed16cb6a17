"""What differs between the sessions the exec channel serves (`alloc exec`, `alloc debug`):
the route's path, whether a terminal allocation is served, the default command and
what the local session runs. Everything else (query, handshake, authorization,
forwarding) is `route.py`'s, the same for every kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.datastructures import QueryParams
from starlette.websockets import WebSocket

from caravan.client.client import Client


@dataclass(frozen=True)
class ExecQuery:
    task: str
    command: list[str]
    tty: bool
    params: QueryParams


# Serves the session with this agent's client: (ws, client, alloc ID, query, binary).
ServeLocal = Callable[[WebSocket, Client, str, ExecQuery, bool], Awaitable[None]]


@dataclass(frozen=True)
class SessionKind:
    path: str                   # `/v1/client/allocation/{alloc_id}/<path>`
    serves_terminal: bool       # whether a complete, failed or lost allocation is served
    default_command: list[str]  # [] when the command is required
    serve_local: ServeLocal
