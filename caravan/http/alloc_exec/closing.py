"""How an exec session ends, shared by local and relayed sessions: a client that went
away, a close frame whose reason is the error (1011 for uncoded (500) errors, 1008
for the others), and the writer's send of a text or binary frame."""

from __future__ import annotations

from typing import TypeVar

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from caravan.errors import CaravanError

_E = TypeVar("_E", bound=BaseException)
_MAX_REASON = 123  # a close reason sits in a control frame


class ClientGone(Exception):
    """The client closed the WebSocket or the connection broke."""


def first_error(group: BaseExceptionGroup[_E]) -> _E:
    """The first error in a (possibly nested) group: the one the session reports."""
    first = group.exceptions[0]
    return first_error(first) if isinstance(first, BaseExceptionGroup) else first


def close_code(err: CaravanError) -> int:
    return 1011 if err.status >= 500 else 1008


async def send(ws: WebSocket, frame: str | bytes) -> None:
    if isinstance(frame, bytes):
        await ws.send_bytes(frame)
    else:
        await ws.send_text(frame)


async def close(ws: WebSocket, code: int, reason: str) -> None:
    """Close once; a reason longer than a close frame holds is cut with `...`."""
    if ws.application_state == WebSocketState.DISCONNECTED:
        return
    raw = reason.encode()
    if len(raw) > _MAX_REASON:
        reason = raw[:_MAX_REASON - 3].decode(errors="ignore") + "..."
    try:
        await ws.close(code, reason)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went first
