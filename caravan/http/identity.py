"""Workload identity routes: the public keys, OIDC discovery, and signing for nodes.

    GET  /.well-known/jwks.json               {"keys": [JWK...]} (every keyring key)
    GET  /.well-known/openid-configuration    issuer, jwks_uri, algorithms
    POST /v1/node/<id>/identity               {"AllocID", "Task"} -> {"Token"}

The keys and discovery are public, as in Nomad: verifying a token needs no secret.
A node asks for a task's token with its node secret (and certificate, under mTLS),
only for an allocation placed on it that has not finished.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.errors import InvalidInput, PermissionDenied
from caravan.http.context import agent_of, server_of
from caravan.http.auth import token_of
from caravan.http.peer import require_node_certificate
from caravan.http.query import json_response, read_json
from caravan.structs import Struct

JWKS_PATH = "/.well-known/jwks.json"


class IdentityRequest(Struct):
    alloc_id: str = ""
    task: str = ""


async def jwks(request: Request) -> Response:
    return json_response(server_of(request).keyring.jwks())


async def openid_configuration(request: Request) -> Response:
    issuer = agent_of(request).config.http_url()
    return json_response({
        "issuer": issuer, "jwks_uri": issuer.rstrip("/") + JWKS_PATH,
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code"], "subject_types_supported": ["public"],
    })


async def sign_identity(request: Request) -> Response:
    require_node_certificate(request)
    server = server_of(request)
    node = server.nodes.authenticate(request.path_params["node_id"], token_of(request))
    body = IdentityRequest.model_validate(await read_json(request))
    alloc = server.allocs.find(body.alloc_id) if body.alloc_id else None
    if alloc is None or alloc.node_id != node.id or alloc.client_terminal():
        raise PermissionDenied()
    if not body.task:
        raise InvalidInput("missing task name")
    return json_response({"Token": server.identities.sign(alloc, body.task)})


routes = [
    Route(JWKS_PATH, jwks, methods=["GET"]),
    Route("/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
    Route("/v1/node/{node_id}/identity", sign_identity, methods=["POST"]),
]
