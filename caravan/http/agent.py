"""Routes about the agent itself: /v1/agent/self, members, status, regions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan import __version__
from caravan.acl import Coarse
from caravan.http.agent_self import agent_stats, nomad_config
from caravan.http.auth import authorize
from caravan.http.context import AgentContext, agent_of
from caravan.http.query import json_response

if TYPE_CHECKING:
    from caravan.server.cluster.members import Member


def _member(ctx: AgentContext) -> dict[str, Any]:
    cfg = ctx.config
    host, _, port = ctx.http_addr.rpartition(":")
    return {
        "Name": f"{cfg.name or 'caravan'}.{cfg.region}", "Addr": host, "Port": int(port or 0),
        "Tags": {"role": "nomad" if ctx.server else "client", "region": cfg.region,
                 "dc": cfg.datacenter, "build": __version__, "port": str(cfg.ports.rpc),
                 **({"leader": "true", "raft_vsn": "3"} if ctx.server else {})},
        "Status": "alive", "ProtocolMin": 1, "ProtocolMax": 5, "ProtocolCur": 2,
        "DelegateMin": 2, "DelegateMax": 5, "DelegateCur": 4,
    }


async def agent_self(request: Request) -> Response:
    await authorize(request, Coarse.AGENT_READ)
    ctx = agent_of(request)
    stats = agent_stats(ctx)
    config = {**ctx.config.model_dump(mode="json"), **nomad_config(ctx)}
    config["Version"] = {"Version": __version__, "VersionPrerelease": "",
                         "VersionMetadata": "", "Revision": ""}
    return json_response({"config": config, "member": _member(ctx), "stats": stats})


async def members(request: Request) -> Response:
    await authorize(request, Coarse.NODE_READ)
    ctx = agent_of(request)
    leadership = ctx.server.leadership if ctx.server is not None else None
    found = [_member(ctx)] if leadership is None else [
        cluster_member(m, leadership.leader) for m in await leadership.members()]
    return json_response({"ServerName": ctx.config.name, "ServerRegion": ctx.config.region,
                          "ServerDC": ctx.config.datacenter, "Members": found})


async def leader(request: Request) -> Response:
    ctx = agent_of(request)
    server = ctx.require_server()
    if server.leadership is not None:
        known = server.leadership.leader
        return json_response(known.rpc_addr if known is not None else "")
    host = ctx.http_addr.rpartition(":")[0]
    return json_response(f"{host}:{ctx.config.ports.rpc}")


async def peers(request: Request) -> Response:
    ctx = agent_of(request)
    server = ctx.require_server()
    if server.leadership is not None:
        return json_response([m.rpc_addr for m in await server.leadership.members()])
    host = ctx.http_addr.rpartition(":")[0]
    return json_response([f"{host}:{ctx.config.ports.rpc}"])


def cluster_member(m: Member, leader: Member | None) -> dict[str, Any]:
    """A server of the cluster as /v1/agent/members shows it (Serf's member shape)."""
    return {
        "Name": m.name, "Addr": m.addr, "Port": m.port,
        "Tags": {"role": "nomad", "region": m.region, "dc": m.datacenter, "build": m.build,
                 "port": str(m.port), "leader": "true" if m == leader else "false",
                 "raft_vsn": "3"},
        "Status": "alive", "ProtocolMin": 1, "ProtocolMax": 5, "ProtocolCur": 2,
        "DelegateMin": 2, "DelegateMax": 5, "DelegateCur": 4,
    }


async def regions(request: Request) -> Response:
    ctx = agent_of(request)
    return json_response([ctx.config.region])


routes = [
    Route("/v1/agent/self", agent_self, methods=["GET"]),
    Route("/v1/agent/members", members, methods=["GET"]),
    Route("/v1/status/leader", leader, methods=["GET"]),
    Route("/v1/status/peers", peers, methods=["GET"]),
    Route("/v1/regions", regions, methods=["GET"]),
]
