"""The one place errors become HTTP responses: status from the error, Nomad's plain-text body."""

from __future__ import annotations

import logging

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from caravan.errors import CaravanError, WriteFailed

log = logging.getLogger(__name__)

WRITE_RETRY_AFTER_S = 5


async def caravan_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CaravanError)
    if exc.status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc.message)
    if isinstance(exc, WriteFailed):
        # Nothing was applied and reads still work: say why, what to do, and when to retry.
        return PlainTextResponse(f"{exc.message}; {exc.hint}", status_code=exc.status,
                                 headers={"Retry-After": str(WRITE_RETRY_AFTER_S)})
    return PlainTextResponse(exc.message, status_code=exc.status)


async def validation_error(request: Request, exc: Exception) -> Response:
    """A body that is JSON but not the right shape: name every bad field."""
    assert isinstance(exc, ValidationError)
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        lines.append(f"{path}: {err['msg']}")
    return PlainTextResponse("Invalid request body: " + "; ".join(lines), status_code=400)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return PlainTextResponse("Invalid method", status_code=405)
    if exc.status_code == 404:
        return PlainTextResponse("Invalid URL path", status_code=404)
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
    return PlainTextResponse(f"internal error: {exc}", status_code=500)
