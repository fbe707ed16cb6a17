"""Forward a request to another agent: to the node holding an alloc, or to a server.

Streams both ways, so a followed log stream passes through as it arrives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from caravan.config.tls import agent_client_context, agent_url
from caravan.errors import CaravanError
from caravan.http.context import agent_of

_HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


class NoPathToNode(CaravanError):
    status = 404


async def forward(request: Request, base_url: str, path: str | None = None, *,
                  headers: dict[str, str] | None = None) -> Response:
    """Send `request` as it is to `base_url` (at `path`, when given, instead of its own;
    with `headers` added) and relay the answer (over TLS with this agent's certificate
    when the agent's `tls.http` is on)."""
    tls = agent_of(request).config.tls
    base_url = agent_url(tls, base_url)
    client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=None),
                               verify=agent_client_context(tls) or True)
    sent = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
    sent.update(headers or {})
    upstream = client.build_request(request.method, base_url + (path or request.url.path),
                                    params=request.query_params, headers=sent,
                                    content=await request.body())
    try:
        reply = await client.send(upstream, stream=True)
    except httpx.HTTPError as e:
        await client.aclose()
        raise NoPathToNode(f"No path to node: {base_url}: {e}") from None

    async def body() -> AsyncIterator[bytes]:
        async for chunk in reply.aiter_raw():
            yield chunk

    async def close() -> None:
        await reply.aclose()
        await client.aclose()

    headers_out = {k: v for k, v in reply.headers.items() if k.lower() not in _HOP_HEADERS}
    return StreamingResponse(body(), status_code=reply.status_code, headers=headers_out,
                             background=BackgroundTask(close))
