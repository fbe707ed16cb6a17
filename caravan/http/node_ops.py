"""Operator writes on a node: `/v1/node/<id>/eligibility`, `/drain`, `/evaluate` and
`/purge` (Nomad's bodies and replies)."""

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
from caravan.server.drain.update import update_drain
from caravan.server.node_eligibility import set_eligibility
from caravan.server.node_evaluate import evaluate_node
from caravan.structs.drain import NodeDrainRequest, NodeDrainUpdateResponse
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


async def drain(request: Request) -> Response:
    """Nomad's api.NodeUpdateDrainRequest: `DrainSpec` set starts (or updates) a drain,
    null cancels it; `MarkEligible` makes a node whose drain is cancelled eligible."""
    await authorize(request, Coarse.NODE_WRITE)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidInput('request body must be {"DrainSpec": {...} | null, '
                           '"MarkEligible": bool, "Meta": {...}}')
    drain_request = NodeDrainRequest.model_validate(body)
    node_id = request.path_params["node_id"]
    if drain_request.node_id not in ("", node_id):
        raise InvalidInput("node ID does not match request path")
    eval_ids, index = update_drain(
        server_of(request).core, node_id, drain_request.drain_spec,
        mark_eligible=drain_request.mark_eligible, meta=drain_request.meta)
    return json_response(NodeDrainUpdateResponse(
        eval_ids=eval_ids or None, eval_create_index=index if eval_ids else 0,
        node_modify_index=index, index=index), index=index)


async def evaluate(request: Request) -> Response:
    await authorize(request, Coarse.NODE_WRITE)
    eval_ids, index = evaluate_node(server_of(request).core, request.path_params["node_id"])
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
          Route("/v1/node/{node_id}/drain", drain, methods=["PUT", "POST"]),
          Route("/v1/node/{node_id}/evaluate", evaluate, methods=["PUT", "POST"]),
          Route("/v1/node/{node_id}/purge", purge, methods=["PUT", "POST"])]
