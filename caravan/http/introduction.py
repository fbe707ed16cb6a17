"""`PUT /v1/acl/identity/client-introduction-token`: a JWT a new client node presents.

Body (every field optional): `{"TTL": "10m" | <ns>, "NodeName": "...", "NodePool": "..."}`;
answer `{"JWT": "..."}`. Needs `node:write`, not management, so operators can hand
out node joining without handing out the cluster (Nomad's rule).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.durations import parse_duration
from caravan.errors import InvalidInput
from caravan.http.auth import authorize
from caravan.http.context import server_of
from caravan.http.query import json_response, read_json


def _ttl_s(value: Any) -> float:
    if value in (None, "", 0):
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidInput(f"unexpected TTL type: {value!r}")
    try:
        ns = parse_duration(value) if isinstance(value, str) else int(value)
    except ValueError as err:
        raise InvalidInput(f"invalid TTL: {err}") from None
    if ns < 0:
        raise InvalidInput("TTL must not be negative")
    return ns / 1e9


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key) or ""
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be a string")
    return value


async def create(request: Request) -> Response:
    await authorize(request, Coarse.NODE_WRITE)
    body = await read_json(request, required=False) or {}
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a JSON object")
    server = server_of(request)
    token = server.introductions.create(_text(body, "NodeName"), _text(body, "NodePool"),
                                        _ttl_s(body.get("TTL")))
    return json_response({"JWT": token})


routes = [Route("/v1/acl/identity/client-introduction-token", create, methods=["PUT", "POST"])]
