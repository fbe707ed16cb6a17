"""The sub-routes of `/v1/job/<id>/...`, so that none falls through to the job itself.

A job ID may nest (`a/b`), so `/v1/job/{job_id:path}` matches any path below it; Nomad
tells a sub-route from a nested ID by the path's last segments, and so does caravan.
An implemented sub-route answers only its method (else 405, never the job's own
handler); a sub-route Nomad has and caravan has not built answers 501 with its name:
python-nomad turns a 404 into the same exception as "job not found", while 501 tells a
script (and its user) that the feature is missing, not the job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.errors import NotImplementedYet

Handler = Callable[[Request], Awaitable[Response]]
# Starlette gives a route without `methods` only GET: these must match every method, so
# that a wrong one is answered here rather than by the job's own route below them.
_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

# Nomad's sub-routes of /v1/job/<id>/ that caravan does not serve yet.
NOT_IMPLEMENTED = ("dispatch/payload", "submission", "tag/{name}")


def job_route(suffix: str, handler: Handler, method: str | tuple[str, ...] = "GET") -> Route:
    """`/v1/job/<id>/<suffix>` for `method` (or these methods) only: any other is a 405 here."""
    methods = {method} if isinstance(method, str) else set(method)
    allowed = methods | {"HEAD"} if "GET" in methods else methods

    async def endpoint(request: Request) -> Response:
        if request.method not in allowed:
            raise HTTPException(405)
        return await handler(request)

    return Route(f"/v1/job/{{job_id:path}}/{suffix}", endpoint, methods=_ANY_METHOD)


def not_implemented_routes() -> list[Route]:
    return [_not_implemented_route(suffix) for suffix in NOT_IMPLEMENTED]


def _not_implemented_route(suffix: str) -> Route:
    async def endpoint(request: Request) -> Response:
        raise NotImplementedYet(f"/v1/job/<id>/{suffix.replace('{name}', '<name>')} "
                                "is not implemented by caravan")

    return Route(f"/v1/job/{{job_id:path}}/{suffix}", endpoint, methods=_ANY_METHOD)


def parent_job_id(job_id: str) -> str | None:
    """`a/b/bogus` -> "a/b": the job an unknown sub-route would belong to, if any."""
    return job_id.rpartition("/")[0] if "/" in job_id else None
