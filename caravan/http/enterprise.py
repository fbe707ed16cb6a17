"""Routes only Nomad Enterprise serves: Sentinel policies, quotas and recommendations.

A Nomad CE server registers these paths and answers every method with a 501 saying the
endpoint is Enterprise-only, before any ACL check; caravan answers as a CE server does,
so clients (python-nomad's `sentinel` calls, the UI) see the same refusal.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.errors import NotImplementedYet

ENTERPRISE_ONLY = "Nomad Enterprise only endpoint"

# Nomad CE's list (command/agent/http_ce.go): exact paths and path prefixes.
_PATHS = ("/v1/sentinel/policies", "/v1/quotas", "/v1/quota-usages", "/v1/quota",
          "/v1/recommendation", "/v1/recommendations", "/v1/recommendations/apply")
_PREFIXES = ("/v1/sentinel/policy/", "/v1/quota/", "/v1/recommendation/")
_EVERY_METHOD = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"]


async def enterprise_only(request: Request) -> Response:
    raise NotImplementedYet(ENTERPRISE_ONLY)


routes = [
    *(Route(path, enterprise_only, methods=_EVERY_METHOD) for path in _PATHS),
    *(Route(prefix + "{rest:path}", enterprise_only, methods=_EVERY_METHOD) for prefix in _PREFIXES),
]
