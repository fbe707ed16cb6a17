"""`/v1/system/gc`: collect every terminal job, evaluation, allocation and deployment now.

A management token is required, as in Nomad. Nomad answers with an empty 200 once the
collection is queued; caravan collects before answering, so what follows sees it done.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.http.auth import authorize_management
from caravan.http.context import server_of


async def garbage_collect(request: Request) -> Response:
    await authorize_management(request)
    server_of(request).gc.force()
    return Response(status_code=200)


routes = [Route("/v1/system/gc", garbage_collect, methods=["PUT"])]
