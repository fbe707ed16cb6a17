"""What route handlers may reach: the agent's config, its server and/or client, typed.

Routes get them through `agent_of` / `server_of` / `client_of`, never through
`app.state` (typed Any) and never through the server's state store: they call the
server's endpoint methods.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from caravan.config.agent import AgentConfig
from caravan.errors import CaravanError

if TYPE_CHECKING:
    from caravan.client.client import Client
    from caravan.server.server import Server


class NoServer(CaravanError):
    status = 500


@dataclass
class AgentContext:
    config: AgentConfig
    http_addr: str
    server: Server | None = None
    client: Client | None = None
    # Per-agent caches of the HTTP layer by name (`list_cache.py`), never shared by agents.
    caches: dict[str, object] = field(default_factory=dict)
    # Set once the client holds the allocations it saved before a restart (at once on an
    # agent without a client): /v1/client/ requests wait for it (limits.ClientRestored).
    client_restored: asyncio.Event = field(default_factory=asyncio.Event)

    def require_server(self) -> Server:
        if self.server is None:
            raise NoServer("No cluster leader")
        return self.server

    def require_client(self) -> Client:
        if self.client is None:
            raise NoServer("this agent runs no client")
        return self.client


def agent_of(conn: HTTPConnection) -> AgentContext:
    """The context `build_app` gave the app serving `conn`."""
    ctx = conn.app.state.ctx
    if not isinstance(ctx, AgentContext):
        raise CaravanError("the HTTP app was built without an agent context")
    return ctx


def server_of(conn: HTTPConnection) -> Server:
    """This agent's server (500 "No cluster leader" on a client-only agent)."""
    return agent_of(conn).require_server()


def client_of(conn: HTTPConnection) -> Client:
    return agent_of(conn).require_client()
