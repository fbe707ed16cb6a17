"""The client <-> server contract, over HTTP (Nomad uses RPC here; the shapes are ours).

    PUT  /v1/node/register                  {"Node": {...incl. SecretID}} -> {"HeartbeatTTL", "Index"}
    PUT  /v1/node/<id>/heartbeat            -> {"HeartbeatTTL"}; 404 = register again
    GET  /v1/node/<id>/allocations?index=   (nodes.py) blocking pull of the node's allocs
    POST /v1/node/<id>/allocations/update   {"Allocs": [AllocClientUpdate...]} -> {"Index"}
    POST /v1/node/<id>/exec-sessions        {"Sessions": [ExecSession...]} -> {"Index"}: audit
                                            records of exec sessions the node served

Every call but register carries the node's secret as `X-Nomad-Token`; register
carries it in the body and the server remembers it (hashed) on first contact. A new
node's register may carry a client introduction token as `X-Nomad-Token` instead.
With `tls.verify_https_client`, every one of these calls needs a client or server
certificate (peer.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.errors import InvalidInput
from caravan.http.context import server_of
from caravan.http.peer import require_node_certificate
from caravan.http.query import json_response, read_json
from caravan.structs import AllocClientUpdate, Node, NodeRegisterResponse, Struct
from caravan.structs.exec_audit import ExecSession


class NodeRegisterRequest(Struct):
    node: Node


class AllocUpdateRequest(Struct):
    allocs: list[AllocClientUpdate] = Field(default_factory=list)


class ExecSessionsRequest(Struct):
    sessions: list[ExecSession] = Field(default_factory=list)


def _secret(request: Request) -> str:
    token = request.headers.get("X-Nomad-Token", "")
    auth = request.headers.get("Authorization", "")
    if not token and auth.startswith("Bearer "):
        token = auth[len("Bearer "):]
    return token


async def register(request: Request) -> Response:
    raw: Any = await read_json(request)
    body = NodeRegisterRequest.model_validate(raw)
    node_raw = raw.get("Node") or raw.get("node") or {}
    secret = str(node_raw.get("SecretID", "")) if isinstance(node_raw, dict) else ""
    if not body.node.id:
        raise InvalidInput("missing node ID for client registration")
    require_node_certificate(request)
    token = _secret(request)
    ttl, index = server_of(request).nodes.register(body.node, secret,
                                                   "" if token == secret else token)
    return json_response(NodeRegisterResponse(heartbeat_ttl=ttl, index=index), index=index)


async def heartbeat(request: Request) -> Response:
    require_node_certificate(request)
    server = server_of(request)
    ttl = server.nodes.heartbeat(request.path_params["node_id"], _secret(request))
    return json_response(NodeRegisterResponse(heartbeat_ttl=ttl, index=server.index))


async def update_allocs(request: Request) -> Response:
    require_node_certificate(request)
    body = AllocUpdateRequest.model_validate(await read_json(request))
    index = server_of(request).nodes.update_allocs(request.path_params["node_id"],
                                                   _secret(request), body.allocs)
    return json_response({"Index": index}, index=index)


async def exec_sessions(request: Request) -> Response:
    require_node_certificate(request)
    body = ExecSessionsRequest.model_validate(await read_json(request))
    index = server_of(request).exec_audit.upsert(request.path_params["node_id"],
                                                 _secret(request), body.sessions)
    return json_response({"Index": index}, index=index)


routes = [
    Route("/v1/node/register", register, methods=["PUT", "POST"]),
    Route("/v1/node/{node_id}/heartbeat", heartbeat, methods=["PUT", "POST"]),
    Route("/v1/node/{node_id}/allocations/update", update_allocs, methods=["PUT", "POST"]),
    Route("/v1/node/{node_id}/exec-sessions", exec_sessions, methods=["PUT", "POST"]),
]
