"""What route handlers may reach: the agent's config, its server and/or client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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

    def require_server(self) -> Server:
        if self.server is None:
            raise NoServer("No cluster leader")
        return self.server
