"""`GET /v1/client/allocation/{alloc_id}/exec`: the `alloc exec` WebSocket, on Nomad's wire.

    query (bad: HTTP error) ─▶ accept ─▶ ws_handshake? ─▶ does our client hold the alloc?
      yes: checks in Nomad's order ─▶ session: reader │ runner (the driver) │ writer
      no:  server checks ─▶ relay to the node's HTTP address, frames passed unchanged
    every session ends with an exit frame and a normal close, or with a close frame
    whose reason is the error: 1011 for uncoded (500) errors, 1008 for the others

Frames (nomad-facts §4.7), JSON text messages with base64 data. Client to agent:
`{"stdin":{"data":..}}`, `{"stdin":{"close":true}}`, `{"tty_size":{"height":h,"width":w}}`,
`{}` (heartbeat, ignored). Agent to client: `{"stdout":{"data":..}}` (and stderr),
`{"stdout":{"close":true}}` at a stream's end, `{"exited":true,"result":{"exit_code":n}}`.
Output chunks are up to 256 KiB (Nomad sends 4 KiB; its clients take any size).

A client that offers the WebSocket subprotocol `caravan.exec.binary` (caravan's own
client does; Nomad's do not) gets stdin/stdout/stderr data as binary messages instead:
one byte for the stream (0 stdin, 1 stdout, 2 stderr), then the raw bytes. Everything
else stays JSON. base64 and JSON cost more CPU than the rest of a stream put together.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.responses import PlainTextResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

from caravan.acl import NamespaceCapability
from caravan.acl import authorize as check
from caravan.client.drivers.base import (
    ExecInput,
    OutputStream,
)
from caravan.config.tls import agent_client_context, agent_url
from caravan.errors import CaravanError, InvalidInput, NotFound
from caravan.http.auth import acl_for, token_of
from caravan.http.context import AgentContext, agent_of
from caravan.http.exec_frames import SUBPROTOCOL, decode_input, exit_frame, output_frame
from caravan.http.forward import NoPathToNode
from caravan.http.query import parse_bool

log = logging.getLogger(__name__)
_E = TypeVar("_E", bound=BaseException)

_QUEUE = 16  # frames buffered each way before the other side must wait
_HANDSHAKE_S = 10.0
_RELAY_OPEN_S = 5.0
_TERMINAL = ("complete", "failed", "lost")


@dataclass(frozen=True)
class ExecQuery:
    task: str
    command: list[str]
    tty: bool
    params: QueryParams


def parse_query(params: QueryParams) -> ExecQuery:
    """The query as Nomad's agent reads it before upgrading (errors are plain HTTP)."""
    try:
        command = json.loads(params.get("command", "")) or []
    except ValueError as err:
        raise CaravanError(f"failed to marshal command into json: {err}") from None
    if not isinstance(command, list) or not all(isinstance(c, str) for c in command):
        raise CaravanError("failed to marshal command into json: not an array of strings")
    return ExecQuery(params.get("task", ""), command, parse_bool(params.get("tty"), "tty"),
                     params)


async def authorize_exec(ws: WebSocket, namespace: str, fs_isolation: str | None,
                         secret: str | None) -> None:
    """What a session needs: `alloc-exec` in the allocation's namespace, and `alloc-node-exec`
    as well when the task's driver has no filesystem isolation (raw_exec: the command runs
    on the host). `fs_isolation` None checks `alloc-exec` alone (before the task is known).
    `secret` is the ws_handshake token, which overrides the headers. (The CLI's `-job`
    lookup needs `read-job` and `list-jobs`; those routes check them.)"""
    acl = await acl_for(ws, secret)
    check(acl, NamespaceCapability.ALLOC_EXEC, namespace)
    if fs_isolation == "none":
        check(acl, NamespaceCapability.ALLOC_NODE_EXEC, namespace)


async def exec_endpoint(ws: WebSocket) -> None:
    alloc_id: str = ws.path_params["alloc_id"]
    try:
        query = parse_query(ws.query_params)
    except CaravanError as err:
        await ws.send_denial_response(PlainTextResponse(err.message, status_code=err.status))
        return
    binary = SUBPROTOCOL in ws.scope.get("subprotocols", [])
    await ws.accept(subprotocol=SUBPROTOCOL if binary else None)
    try:
        secret = await _handshake(ws) if parse_bool(
            ws.query_params.get("ws_handshake"), "ws_handshake") else None
        await _serve(ws, alloc_id, query, secret, binary)
    except* _ClientGone:
        pass
    except* CaravanError as group:
        first = _first(group)
        await _close(ws, _close_code(first), str(first))
    except* Exception as group:  # the session's edge: a bug still ends it with a reason
        log.error("exec session for %s failed", alloc_id, exc_info=_first(group))
        await _close(ws, 1011, f"internal error: {_first(group)}")


async def _handshake(ws: WebSocket) -> str:
    try:
        async with asyncio.timeout(_HANDSHAKE_S):
            message = await ws.receive_text()
    except WebSocketDisconnect:
        raise _ClientGone() from None
    except TimeoutError:
        raise InvalidInput("no handshake message in time") from None
    try:
        hello = json.loads(message)
        version, token = hello.get("version"), hello.get("auth_token") or ""
    except (ValueError, AttributeError):
        raise InvalidInput(f"unexpected handshake value: {message[:40]}") from None
    if version != 1 or not isinstance(token, str):
        raise InvalidInput(f"unexpected handshake value: {version}")
    header = token_of(ws)
    if header and token != header:
        raise InvalidInput("handshake auth token mismatched auth header token")
    return token


async def _serve(ws: WebSocket, alloc_id: str, query: ExecQuery, secret: str | None,
                 binary: bool) -> None:
    ctx = agent_of(ws)
    client = ctx.client
    if client is not None and client.alloc_runner(alloc_id) is not None:
        target = client.exec_target(alloc_id, query.task)
        await authorize_exec(ws, target.namespace, None, secret)
        _check_not_terminal(alloc_id, target.client_status)
        if not query.task:
            raise InvalidInput("must provide task name")
        if not query.command:
            raise InvalidInput("command is not present")
        await authorize_exec(ws, target.namespace, target.fs_isolation, secret)
        await _LocalSession(ws, binary).run(lambda stream: client.exec_task(
            alloc_id, query.task, query.command, query.tty, stream))
        return
    address = await _node_address(ws, ctx, alloc_id, secret)
    await _relay(ws, address, alloc_id, query, secret, binary)


async def _node_address(ws: WebSocket, ctx: AgentContext, alloc_id: str,
                        secret: str | None) -> str:
    """Where to relay: the node holding the alloc (from a server), or our server."""
    if ctx.server is None:
        servers = ctx.client.servers() if ctx.client is not None else []
        if not servers:
            raise NoPathToNode("No path to node")
        return servers[0]
    alloc = ctx.server.allocs.find(alloc_id)
    if alloc is None:
        raise NotFound(f'Unknown allocation "{alloc_id}"')
    await authorize_exec(ws, alloc.namespace, None, secret)
    _check_not_terminal(alloc_id, alloc.client_status)
    node = ctx.server.nodes.find(alloc.node_id)
    if node is None:
        raise InvalidInput(f'Unknown node "{alloc.node_id}"')
    if not node.http_addr or node.http_addr == ctx.http_addr or node.status == "down":
        raise NoPathToNode("No path to node")
    return node.http_addr


def _check_not_terminal(alloc_id: str, client_status: str) -> None:
    if client_status in _TERMINAL:
        raise InvalidInput(f"exec not possible, client status of allocation {alloc_id} is "
                           f"{client_status}")


# ---- a session served here ---------------------------------------------------------------


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str = ""


class _ClientGone(Exception):
    """The client closed the WebSocket or the connection broke."""


class _Stream:
    """The driver's end of a session (an `ExecStream`): inputs the reader decoded, and
    frames for the writer. Both queues are bounded, so each side waits for the other."""

    def __init__(self, binary: bool) -> None:
        self.binary = binary
        self.inputs: asyncio.Queue[ExecInput | None] = asyncio.Queue(_QUEUE)
        self.outputs: asyncio.Queue[str | bytes | _Close] = asyncio.Queue(_QUEUE)

    async def receive(self) -> ExecInput | None:
        return await self.inputs.get()

    async def send(self, stream: OutputStream, data: bytes) -> None:
        await self.outputs.put(output_frame(stream, data, self.binary))


class _LocalSession:
    """reader │ runner │ writer under one TaskGroup; only the writer sends.

    The runner's result (an exit frame, or the error as a close) goes through the
    writer, which closes the WebSocket and then stops the reader. A client that goes
    away ends the reader with _ClientGone, which cancels the runner (killing the command).
    """

    def __init__(self, ws: WebSocket, binary: bool) -> None:
        self._ws = ws
        self._stream = _Stream(binary)

    async def run(self, start: Callable[[_Stream], Awaitable[int]]) -> None:
        async with asyncio.TaskGroup() as tg:
            reader = tg.create_task(self._read())
            tg.create_task(self._run(start))
            tg.create_task(self._write(reader))

    async def _read(self) -> None:
        while True:
            message = await self._ws.receive()
            if message["type"] == "websocket.disconnect":
                raise _ClientGone()
            event = decode_input(message.get("bytes") or message.get("text") or "{}")
            if event is not None:
                await self._stream.inputs.put(event)

    async def _run(self, start: Callable[[_Stream], Awaitable[int]]) -> None:
        outputs = self._stream.outputs
        try:
            code = await start(self._stream)
        except CaravanError as err:
            await outputs.put(_Close(_close_code(err), str(err)))
            return
        await outputs.put(exit_frame(code))
        await outputs.put(_Close(1000))

    async def _write(self, reader: asyncio.Task[None]) -> None:
        while not isinstance(frame := await self._stream.outputs.get(), _Close):
            try:
                await _send(self._ws, frame)
            except WebSocketDisconnect:
                raise _ClientGone() from None
        await _close(self._ws, frame.code, frame.reason)
        reader.cancel()


# ---- a session relayed to another agent ----------------------------------------------------


async def _relay(ws: WebSocket, address: str, alloc_id: str, query: ExecQuery,
                 secret: str | None, binary: bool) -> None:
    """Pass frames both ways unchanged; the far end's close (code and reason) comes back."""
    params = [(k, v) for k, v in query.params.multi_items() if k != "ws_handshake"]
    tls = agent_of(ws).config.tls
    base = agent_url(tls, address)
    url = f"{base.replace('http', 'ws', 1)}/v1/client/allocation/{alloc_id}/exec?" \
          f"{urlencode(params)}"
    token = token_of(ws) if secret is None else secret
    try:
        upstream = await connect(url, additional_headers={"X-Nomad-Token": token} if token
                                 else {}, open_timeout=_RELAY_OPEN_S, ping_interval=None,
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
            raise _ClientGone()  # leaving `async with upstream` closes it: the command ends
        try:
            await upstream.send(message.get("bytes") or message.get("text") or "{}")
        except ConnectionClosed:
            return  # the far end is done; _relay_out passes its close on


async def _relay_out(upstream: ClientConnection, ws: WebSocket,
                     reader: asyncio.Task[None]) -> None:
    try:
        async for message in upstream:
            await _send(ws, message)
    except ConnectionClosed:
        pass
    except WebSocketDisconnect:
        raise _ClientGone() from None
    code, reason = upstream.close_code, upstream.close_reason or ""
    if code is None or code == 1006:  # no close frame: the connection to the node broke
        code, reason = 1011, "lost the connection to the node"
    await _close(ws, code, reason)
    reader.cancel()


# ---- closing ----------------------------------------------------------------------------


def _first(group: BaseExceptionGroup[_E]) -> _E:
    """The first error in a (possibly nested) group: the one the session reports."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


async def _send(ws: WebSocket, frame: str | bytes) -> None:
    if isinstance(frame, bytes):
        await ws.send_bytes(frame)
    else:
        await ws.send_text(frame)


def _close_code(err: CaravanError) -> int:
    return 1011 if err.status >= 500 else 1008


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    """Close once; a close reason may hold 123 bytes at most (it sits in a control frame)."""
    if ws.application_state == WebSocketState.DISCONNECTED:
        return
    raw = reason.encode()
    if len(raw) > 123:
        reason = raw[:120].decode(errors="ignore") + "..."
    try:
        await ws.close(code, reason)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went first


routes = [WebSocketRoute("/v1/client/allocation/{alloc_id}/exec", exec_endpoint)]
