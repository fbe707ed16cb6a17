"""Routes under /v1/operator/raft/: the server set as Nomad's Raft configuration shows it.

caravan has no Raft: one server on SQLite is the whole configuration, servers on etcd
are the members each keeps under its lease, and etcd's own members are the quorum. So
the configuration lists those servers (each a voter, the leader marked, `ID` its member
name since there is no Raft server ID), and removing a peer by ID is refused with what
to do instead: a server leaves by stopping, once its lease runs out.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.errors import InvalidInput, NotFound
from caravan.http.auth import authorize_management
from caravan.http.cluster_servers import cluster_servers
from caravan.http.context import agent_of
from caravan.http.query import json_response

RAFT_PROTOCOL = "3"


async def configuration(request: Request) -> Response:
    await authorize_management(request)
    ctx = agent_of(request)
    servers = [{"ID": s.name, "Node": s.name, "Address": s.rpc_addr, "Leader": s.leader,
                "Voter": True, "RaftProtocol": RAFT_PROTOCOL}
               for s in await cluster_servers(ctx)]
    index = ctx.require_server().index
    return json_response({"Servers": servers, "Index": index}, index=index)


async def remove_peer(request: Request) -> Response:
    params = request.query_params
    if "address" in params:
        raise InvalidInput("Removing a peer by address is not supported in the current "
                           "raft protocol version")
    if "id" not in params:
        raise InvalidInput("Must specify the peer's ID to remove")
    await authorize_management(request)
    peer = params["id"]
    if peer not in {s.name for s in await cluster_servers(agent_of(request))}:
        # Nomad's text; its status is 500 (an uncoded RPC error), ours the 404 of bad input.
        raise NotFound(f'id "{peer}" was not found in the Raft configuration')
    raise InvalidInput(f"{peer} is a live server: stop it and it leaves the cluster once "
                       "its etcd lease expires (server { etcd { leader_ttl } })")


async def wrong_method(request: Request) -> Response:
    raise NotFound("Invalid method")  # Nomad answers a peer request that is not a DELETE so


routes = [
    Route("/v1/operator/raft/configuration", configuration, methods=["GET"]),
    Route("/v1/operator/raft/peer", remove_peer, methods=["DELETE"]),
    Route("/v1/operator/raft/peer", wrong_method, methods=["GET", "PUT", "POST"]),
]
