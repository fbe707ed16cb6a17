"""The root keyring's routes: list the keys and rotate the active one.

    GET /v1/operator/keyring/keys      [{"KeyID", "Algorithm", "CreateTime", "State"}]
    PUT /v1/operator/keyring/rotate    {"Key": {...}}: a new active key; older keys
                                       keep decrypting Variables and verifying tokens

Key material never leaves the server. Listing needs `operator:read`, rotating
`operator:write`, as in Nomad.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.http.auth import authorize
from caravan.http.context import server_of
from caravan.http.query import json_response


async def list_keys(request: Request) -> Response:
    await authorize(request, Coarse.OPERATOR_READ)
    server = server_of(request)
    return json_response([k.metadata() for k in server.keyring.keys()], index=server.index)


async def rotate(request: Request) -> Response:
    await authorize(request, Coarse.OPERATOR_WRITE)
    server = server_of(request)
    server.variables.rotate_key()
    return json_response({"Key": server.keyring.active().metadata()}, index=server.index)


routes = [
    Route("/v1/operator/keyring/keys", list_keys, methods=["GET"]),
    Route("/v1/operator/keyring/rotate", rotate, methods=["PUT", "POST"]),
]
