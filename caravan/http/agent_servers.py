"""Routes that name servers to an agent: /v1/agent/servers, /v1/agent/join,
/v1/agent/force-leave.

A client's servers are the `host:port` HTTP addresses it registers and heartbeats
with (caravan's clients speak HTTP where Nomad's speak RPC); `PUT /v1/agent/servers`
replaces them until the agent restarts. Servers find each other through etcd, not by
gossip, so `join` only confirms addresses that already are servers of the cluster,
and `force-leave` has nothing to remove: a server that dies leaves the member list on
its own once its etcd lease expires. Both still answer in Nomad's shapes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.config.tls import agent_url
from caravan.errors import CaravanError, InvalidInput
from caravan.http.auth import authorize
from caravan.http.cluster_servers import cluster_servers
from caravan.http.context import agent_of
from caravan.http.query import json_response


class AgentRoleMissing(CaravanError):
    """The agent does not run the part (client or server) the route needs; Nomad: 501."""

    status = 501

    def __init__(self) -> None:
        super().__init__("Invalid method")


def _netloc(url: str) -> str:
    return urlsplit(url).netloc


def _checked_addresses(request: Request) -> list[str]:
    """`?address=` values, each a `host:port` (or URL) with a valid port."""
    addresses = request.query_params.getlist("address")
    tls = agent_of(request).config.tls
    for address in addresses:
        try:
            parts = urlsplit(agent_url(tls, address))
            valid = bool(parts.hostname) and parts.port is not None
        except ValueError:
            valid = False
        if not valid:
            raise InvalidInput(f"server address {address!r}: expected host:port")
    return addresses


async def list_servers(request: Request) -> Response:
    client = agent_of(request).client
    if client is None:
        raise AgentRoleMissing()
    await authorize(request, Coarse.AGENT_READ)
    return json_response(sorted(_netloc(url) for url in client.servers()))


async def update_servers(request: Request) -> Response:
    client = agent_of(request).client
    if client is None:
        raise AgentRoleMissing()
    addresses = _checked_addresses(request)
    if not addresses:
        raise InvalidInput("missing server address")
    await authorize(request, Coarse.AGENT_WRITE)
    client.set_servers(addresses)
    return Response(b"")


async def join(request: Request) -> Response:
    ctx = agent_of(request)
    if ctx.server is None:
        raise AgentRoleMissing()
    # Nomad only warns when the token lacks agent:write (and will refuse in 2.1); refuse now.
    await authorize(request, Coarse.AGENT_WRITE)
    addresses = _checked_addresses(request)
    if not addresses:
        raise InvalidInput("missing address to join")
    known = {a for s in await cluster_servers(ctx) for a in (s.rpc_addr, s.http_addr)}
    strangers = [a for a in addresses if _netloc(agent_url(ctx.config.tls, a)) not in known]
    error = "" if not strangers else (
        f"not servers of this cluster: {', '.join(strangers)} (caravan servers join "
        "through etcd: list the same `server { etcd { endpoints } }` in each agent file)")
    return json_response({"num_joined": len(addresses) - len(strangers), "error": error,
                          "warning": ""})


async def force_leave(request: Request) -> Response:
    if agent_of(request).server is None:
        raise AgentRoleMissing()
    await authorize(request, Coarse.AGENT_WRITE)
    if not request.query_params.get("node"):
        raise InvalidInput("missing node to force leave")
    return Response(b"")


routes = [
    Route("/v1/agent/servers", list_servers, methods=["GET"]),
    Route("/v1/agent/servers", update_servers, methods=["PUT", "POST"]),
    Route("/v1/agent/join", join, methods=["PUT", "POST"]),
    Route("/v1/agent/force-leave", force_leave, methods=["PUT", "POST"]),
]
