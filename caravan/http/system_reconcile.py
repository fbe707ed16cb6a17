"""PUT /v1/system/reconcile/summaries: Nomad's repair of stored job summaries.

Nomad keeps a summary per job in its state store and recounts them all here. caravan
stores none: every summary is counted from the job's allocations when it is read
(`server/summary.py`), so there is never anything to reconcile. The route still answers
as Nomad's does (management token, 200, empty body), so scripts that call it work.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.http.auth import authorize_management
from caravan.http.context import server_of


async def reconcile_summaries(request: Request) -> Response:
    await authorize_management(request)
    server_of(request)  # a client-only agent forwards; one without a server refuses
    return Response(b"")


routes = [Route("/v1/system/reconcile/summaries", reconcile_summaries, methods=["PUT"])]
