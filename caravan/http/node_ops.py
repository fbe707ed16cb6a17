"""Operator writes on a node: `/v1/node/<id>/eligibility` and `/purge` (Nomad's bodies
and replies)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.errors import InvalidInput
from caravan.http.auth import authorize
from caravan.http.context import server_of
from caravan.http.query import json_response, read_json
from caravan.server import node_eligibility
from caravan.server.node_eligibility import set_eligibility
from caravan.structs.responses import NodeEligibilityUpdateResponse


async def eligibility(request: Request) -> Response:
    await authorize(request, Coarse.NODE_WRITE)
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("Eligibility"), str):
        raise InvalidInput('request body must be {"Eligibility": "eligible"|"ineligible"}')
    node_id = request.path_params["node_id"]
    if body.get("NodeID") not in (None, "", node_id):
        raise InvalidInput("node ID does not match request path")
    server = server_of(request)
    eval_ids, index = set_eligibility(server.core, node_id, body["Eligibility"])
    return json_response(NodeEligibilityUpdateResponse(
        eval_ids=eval_ids or None, eval_create_index=index if eval_ids else 0,
        node_modify_index=index, index=index), index=index)


async def purge(request: Request) -> Response:
    await authorize(request, Coarse.NODE_WRITE)
    server = server_of(request)
    node_id = request.path_params["node_id"]
    eval_ids, index = node_eligibility.purge(server.core, node_id)
    server.heartbeats.forget(node_id)
    return json_response(NodeEligibilityUpdateResponse(
        eval_ids=eval_ids or None, eval_create_index=index if eval_ids else 0,
        node_modify_index=index, index=index), index=index)


routes = [Route("/v1/node/{node_id}/eligibility", eligibility, methods=["PUT", "POST"]),
          Route("/v1/node/{node_id}/purge", purge, methods=["PUT", "POST"])]
