"""An exec session relayed to another agent (the node running the allocation, or, from
a client-only agent, its server): frames pass both ways unchanged, and the far end's
close (code and reason) comes back to our client.

    ours ─▶ relay_in ─▶ upstream         upstream ─▶ relay_out ─▶ ours, then its close
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote, urlencode

from starlette.datastructures import QueryParams
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

from caravan.config.tls import agent_client_context, agent_url
from caravan.errors import CaravanError
from caravan.execproto.frames import SUBPROTOCOL
from caravan.http.alloc_exec.closing import ClientGone, close, send
from caravan.http.context import agent_of
from caravan.http.forward import NoPathToNode

_OPEN_S = 5.0


def alloc_path(alloc_id: str, route: str) -> str:
    """The URL path of an allocation's channel route (`exec`, `cp`, `debug`,
    `port-forward`)."""
    return f"/v1/client/allocation/{quote(alloc_id, safe='')}/{route}"


async def relay(ws: WebSocket, address: str, path: str, params: QueryParams,
                token: str | None, binary: bool, *, node_hop: bool) -> None:
    """Open the route the session came in on (`path`, URL-quoted: `alloc_path`'s, or a
    job action's) on `address` with the same query (less `ws_handshake`: the token
    travels as a header; plus `node_hop=true` when `address` is the alloc's node) and
    pass the session through until either end closes."""
    items = [(k, v) for k, v in params.multi_items() if k not in ("ws_handshake", "node_hop")]
    query = urlencode([*items, *([("node_hop", "true")] if node_hop else [])])
    tls = agent_of(ws).config.tls
    base = agent_url(tls, address)
    url = f"{base.replace('http', 'ws', 1)}{path}?{query}"
    try:
        upstream = await connect(url, additional_headers={"X-Nomad-Token": token} if token
                                 else {}, open_timeout=_OPEN_S, ping_interval=None,
                                 ssl=agent_client_context(tls),
                                 max_size=None, compression=None, proxy=None,
                                 subprotocols=[Subprotocol(SUBPROTOCOL)] if binary else None)
    except InvalidStatus as err:
        raise CaravanError(err.response.body.decode(errors="replace").strip()) from None
    except (OSError, TimeoutError, InvalidHandshake):
        raise NoPathToNode("No path to node") from None
    async with upstream, asyncio.TaskGroup() as tg:
        reader = tg.create_task(_relay_in(ws, upstream))
        tg.create_task(_relay_out(upstream, ws, reader))


async def _relay_in(ws: WebSocket, upstream: ClientConnection) -> None:
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            raise ClientGone()  # leaving `async with upstream` closes it: the command ends
        try:
            await upstream.send(message.get("bytes") or message.get("text") or "{}")
        except ConnectionClosed:
            return  # the far end is done; _relay_out passes its close on


async def _relay_out(upstream: ClientConnection, ws: WebSocket,
                     reader: asyncio.Task[None]) -> None:
    try:
        async for message in upstream:
            await send(ws, message)
    except ConnectionClosed:
        pass
    except WebSocketDisconnect:
        raise ClientGone() from None
    code, reason = upstream.close_code, upstream.close_reason or ""
    if code is None or code == 1006:  # no close frame: the connection to the node broke
        code, reason = 1011, "lost the connection to the node"
    await close(ws, code, reason)
    reader.cancel()
