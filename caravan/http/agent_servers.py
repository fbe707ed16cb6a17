"""The agent routes about other servers: `/v1/agent/servers`, `/join`, `/force-leave`.

    GET  /v1/agent/servers                 the servers this client talks to (agent:read)
    POST /v1/agent/servers?address=a:4646  replace them (agent:write)
    POST /v1/agent/join?address=...        servers find each other through etcd here, not
                                           by gossip: Nomad's answer, nothing joined
    POST /v1/agent/force-leave?node=...    a stopped server leaves when its etcd lease
                                           ends; a live one cannot be forced out

Agents without a client (servers) or without a server (join, force-leave) answer
501, as Nomad does.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.errors import CaravanError, InvalidInput
from caravan.http.auth import authorize
from caravan.http.context import agent_of
from caravan.http.query import json_response, parse_bool


class NotImplementedHere(CaravanError):
    status = 501


async def servers(request: Request) -> Response:
    client = agent_of(request).client
    if client is None:
        raise NotImplementedHere("Invalid method: this agent runs no client")
    if request.method == "GET":
        await authorize(request, Coarse.AGENT_READ)
        # Nomad lists "host:port"; the client keeps base URLs (scheme from its TLS config).
        return json_response(sorted(urlsplit(s).netloc or s for s in client.servers()))
    addresses = request.query_params.getlist("address")
    if not addresses:
        raise InvalidInput("missing server address")
    await authorize(request, Coarse.AGENT_WRITE)
    client.rpc.set_servers([_checked_address(a) for a in addresses])
    return Response(status_code=200)


def _checked_address(address: str) -> str:
    """`host:port` or a base URL; anything else is refused before it replaces the list."""
    parts = urlsplit(address if "//" in address else f"//{address}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None or port == 0 or parts.path not in ("", "/") \
            or parts.scheme not in ("", "http", "https"):
        raise InvalidInput(f'invalid server address "{address}": want host:port, '
                           'for example "10.0.0.5:4646"')
    return address


async def join(request: Request) -> Response:
    if agent_of(request).server is None:
        raise NotImplementedHere("Invalid method: this agent runs no server")
    if not request.query_params.getlist("address"):
        raise InvalidInput("missing address to join")
    await authorize(request, Coarse.AGENT_WRITE)
    return json_response({"num_joined": 0, "error": "caravan servers do not gossip: servers "
                          "of a cluster find each other through etcd (server { etcd { } })"})


async def force_leave(request: Request) -> Response:
    ctx = agent_of(request)
    if ctx.server is None:
        raise NotImplementedHere("Invalid method: this agent runs no server")
    node = request.query_params.get("node", "")
    if not node:
        raise InvalidInput("missing node to force leave")
    parse_bool(request.query_params.get("prune"), "prune")
    await authorize(request, Coarse.AGENT_WRITE)
    leadership = ctx.server.leadership
    live = [m.name for m in await leadership.members()] if leadership is not None else []
    if node in live or node.removesuffix(f".{ctx.config.region}") in live:
        raise InvalidInput(f'server "{node}" is alive; stop it and it leaves when its etcd '
                           "lease ends")
    return Response(status_code=200)  # not a member: nothing to remove


routes = [
    Route("/v1/agent/servers", servers, methods=["GET", "PUT", "POST"]),
    Route("/v1/agent/join", join, methods=["PUT", "POST"]),
    Route("/v1/agent/force-leave", force_leave, methods=["PUT", "POST"]),
]
