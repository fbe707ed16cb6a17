"""Query parameters Nomad's API shares, blocking queries, and JSON responses with index headers."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from caravan.durations import parse_duration
from caravan.errors import InvalidInput
from caravan.http.context import server_of
from caravan.wire_limits import WireLimitError, check_json_value

MAX_WAIT_S = 300.0
_INLINE_DECODE_BYTES = 64 * 1024
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


@dataclass(frozen=True)
class QueryOptions:
    index: int
    wait_s: float
    prefix: str
    namespace: str
    pretty: bool


def parse_bool(value: str | None, name: str, default: bool = False) -> bool:
    """Go's strconv.ParseBool, which both Nomad's Go client and python-nomad rely on."""
    if value is None or value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(f'{name} value is not a boolean: "{value}"')


def query_options(request: Request) -> QueryOptions:
    params = request.query_params
    raw_index = params.get("index", "0") or "0"
    try:
        index = int(raw_index)
        if index < 0:
            raise ValueError
    except ValueError:
        raise InvalidInput("Invalid index") from None
    wait_s = MAX_WAIT_S
    if "wait" in params:
        try:
            wait_s = min(parse_duration(params["wait"]) / 1e9, MAX_WAIT_S)
        except ValueError:
            raise InvalidInput("Invalid wait time") from None
        if wait_s < 0:
            raise InvalidInput("Invalid wait time")
    return QueryOptions(
        index=index,
        # Nomad adds up to wait/16 of jitter so many watchers do not wake together.
        wait_s=wait_s + random.uniform(0, wait_s / 16),
        prefix=params.get("prefix", ""),
        namespace=params.get("namespace", "") or "default",
        pretty="pretty" in params and params.get("pretty") != "0",
    )


async def blocking_index(request: Request, opts: QueryOptions, *tables: str) -> int:
    """Wait (when `?index=` asks for it) until `tables` change; returns their index."""
    return await server_of(request).wait_index(tables, opts.index, opts.wait_s)


def json_response(payload: Any, *, index: int | None = None, pretty: bool = False,
                  status: int = 200) -> Response:
    body = _encode(payload)
    text = json.dumps(body, indent=4 if pretty else None)
    headers = index_headers(index) if index is not None else {}
    return Response(text, status_code=status, media_type="application/json", headers=headers)


def index_headers(index: int) -> dict[str, str]:
    return {"X-Nomad-Index": str(index), "X-Nomad-KnownLeader": "true",
            "X-Nomad-LastContact": "0"}


def _encode(payload: Any) -> Any:
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json", by_alias=True)
    if isinstance(payload, list):
        return [_encode(p) for p in payload]
    if isinstance(payload, dict):
        return {k: _encode(v) for k, v in payload.items()}
    return payload


async def read_json(request: Request, *, required: bool = True) -> Any:
    """The request body as JSON; Nomad's texts for an empty or malformed body, and a 400
    for what Go's decoder would refuse (see `caravan.wire_limits`)."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise InvalidInput("Request body is empty")
        return None
    if len(raw) > _INLINE_DECODE_BYTES:  # ~0.1 s per MB: not on the event loop
        return await asyncio.to_thread(_decode, raw)
    return _decode(raw)


def _decode(raw: bytes) -> Any:
    try:
        value = json.loads(raw)
        check_json_value(value)
    except RecursionError:
        raise InvalidInput("request body: JSON nested too deeply") from None
    except WireLimitError as e:
        raise InvalidInput(str(e)) from None
    except ValueError as e:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise InvalidInput(f"Failed to decode request body: {e}") from None
    return value


def match_prefix(ids: list[str], prefix: str) -> bool:
    return not prefix or any(i.startswith(prefix) for i in ids)
