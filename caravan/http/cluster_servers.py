"""The servers of this cluster as the agent and operator routes show them.

One server on SQLite is its own cluster; servers on etcd are the members each keeps
under its lease (`server/cluster/members.py`). caravan has no Raft and no Serf, so
what Nomad reads from those (raft peers, gossip members) is read from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from caravan.http.context import AgentContext


@dataclass(frozen=True)
class ClusterServer:
    name: str  # "<name>.<region>", as Nomad names a server member (Serf's node name)
    rpc_addr: str  # host:port that /v1/status/leader and /peers show
    http_addr: str  # host:port of its HTTP API, where clients and followers reach it
    leader: bool


async def cluster_servers(ctx: AgentContext) -> list[ClusterServer]:
    """Every server (ordered by name); raises NoServer on an agent without a server."""
    server = ctx.require_server()
    if server.leadership is None:
        host = ctx.http_addr.rpartition(":")[0]
        return [ClusterServer(name=f"{ctx.config.name or 'caravan'}.{ctx.config.region}",
                              rpc_addr=f"{host}:{ctx.config.ports.rpc}",
                              http_addr=ctx.http_addr, leader=True)]
    leader = server.leadership.leader
    return [ClusterServer(name=m.name, rpc_addr=m.rpc_addr,
                          http_addr=urlsplit(m.http).netloc or m.http, leader=m == leader)
            for m in await server.leadership.members()]
