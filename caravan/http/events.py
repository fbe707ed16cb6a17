"""`GET /v1/event/stream`: Nomad's event stream as newline-delimited JSON.

    {}                                     on open, then every 10 s without events
    {"Index":12,"Events":[{"Topic":"Job","Type":"JobRegistered",...}]}

`?topic=` (repeatable) and `?namespace=` ("*" is every namespace that exists now)
choose what is sent; `?index=N` resumes from the first kept commit at or after N.
The token is checked when the stream opens (403 before any byte) and again before
every line, so a revoked token's stream ends. A follower on etcd streams from its
own broker, which its replay of the leader's commits feeds.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from caravan.acl import ACL
from caravan.errors import CaravanError
from caravan.http.auth import acl_for, resolver_of, token_of
from caravan.http.context import agent_of, server_of
from caravan.http.query import query_options
from caravan.server.events import EventBroker, Lost
from caravan.server.events.event import batch_line
from caravan.server.events.subscription import Subscription, check_topics, parse_topics

if TYPE_CHECKING:
    from caravan.server.server import Server

HEARTBEAT_S = 10.0
_HEARTBEAT = b"{}\n"
log = logging.getLogger(__name__)


async def stream(request: Request) -> Response:
    server = server_of(request)
    opts = query_options(request)
    topics = parse_topics(request.query_params.getlist("topic"))
    namespaces = _namespaces(server, opts.namespace)
    acl = await acl_for(request)
    check_topics(acl, topics, namespaces)
    sub = Subscription(topics, frozenset(namespaces), acl)
    cursor = server.events.start(opts.index)
    log.debug("event stream opened: topics %s, namespaces %s, from index %d",
              topics, namespaces, opts.index)
    return StreamingResponse(_lines(request, server.events, sub, cursor),
                             media_type="application/json",
                             headers={"Cache-Control": "no-cache"})


def _namespaces(server: Server, namespace: str) -> list[str]:
    if namespace != "*":
        return [namespace]
    found, _ = server.namespaces.list()
    return [ns.name for ns in found]


async def _lines(request: Request, broker: EventBroker, sub: Subscription,
                 cursor: int) -> AsyncIterator[bytes]:
    yield _HEARTBEAT
    namespaces = sorted(sub.namespaces)
    while not broker.closed:
        await broker.wait(cursor, HEARTBEAT_S)
        if not await _still_allowed(request, sub, namespaces):
            return
        try:
            entries = broker.after(cursor)
        except Lost:
            return  # the client resubscribes with the last index it saw, as with Nomad
        if not entries:
            yield _HEARTBEAT
            continue
        for entry in entries:
            cursor = entry.seq
            events = sub.select(entry.events())
            if events:
                yield batch_line(entry.index, events)


async def _still_allowed(request: Request, sub: Subscription, namespaces: list[str]) -> bool:
    """Resolve the token again: deleted, expired or stripped of its policies ends it."""
    if not agent_of(request).config.acl.enabled:
        return True
    try:
        acl: ACL = (await resolver_of(request).resolve(token_of(request))).acl
        check_topics(acl, sub.topics, namespaces)
    except CaravanError:
        return False
    sub.acl = acl
    return True


routes = [Route("/v1/event/stream", stream, methods=["GET"])]
