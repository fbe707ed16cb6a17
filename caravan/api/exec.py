"""`alloc exec` sessions for programs: Nomad's exec WebSocket on asyncio and websockets.

    async with exec_session(client, alloc_id, "web", ["/bin/sh"], tty=True,
                            node_id=alloc.node_id) as session:
        await session.resize(40, 120)
        await session.send_stdin(b"echo hi; exit 3\\n")
        async for out in session:          # ExecOutput(stream, data) until the exit frame
            print(out.stream, out.data)
        session.exit_code                  # 3

Like Nomad's Go client, it first asks for the node (a down node fails at once with
`node down`) and dials the node's own HTTP address (1 s), falling back to the
client's address, whose agent forwards the session. The session owns one writer task:
stdin, resizes, and a `{}` heartbeat every 10 s so idle sessions stay open through
proxies. The caller is the one reader. A close with a reason raises ExecError(reason).

It offers the subprotocol `caravan.exec.binary`; an agent that does not pick it (Nomad)
gets Nomad's JSON frames. Both encodings are `caravan.execproto.frames`'; this module
owns only the connection and the session around it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedOK,
    InvalidHandshake,
    InvalidStatus,
)
from websockets.typing import Subprotocol

from caravan.api.client import Client
from caravan.api.errors import APIConnectionError, APIError
from caravan.api.query import path_id
from caravan.errors import CaravanError
from caravan.execproto import frames
from caravan.execproto.frames import (
    HEARTBEAT,
    SUBPROTOCOL,
    OutputStream,
    stdin_close_frame,
    stdin_frame,
    tty_size_frame,
)

__all__ = ["ExecError", "ExecOutput", "ExecSession", "action_session", "exec_session",
           "node_http_address", "open_channel", "open_path"]

HEARTBEAT_S = 10.0
NODE_DIAL_S = 1.0
STDIN_CHUNK = 64 * 1024
_QUEUE = 16


class ExecError(CaravanError):
    """The session ended without an exit code; the message is the agent's reason."""


@dataclass(frozen=True, slots=True)
class ExecOutput:
    stream: OutputStream
    data: bytes


@asynccontextmanager
async def exec_session(client: Client, alloc_id: str, task: str, command: Sequence[str], *,
                       tty: bool = False, node_id: str | None = None, user: str = "",
                       heartbeat_s: float = HEARTBEAT_S,
                       kind: str = "exec") -> AsyncIterator[ExecSession]:
    """Open a session (see the module docstring); it is closed when the block ends, which
    ends the remote command if it still runs. `node_id` enables the direct dial. `user`
    runs the command as that user (the node's `allow_exec_users` must list it). `kind`
    "debug" runs the command in a copy of an exited task instead (`alloc debug`)."""
    params = {"task": task, "command": json.dumps(list(command)), "tty": str(tty).lower()}
    if user:
        params["user"] = user
    conn = await open_channel(client, alloc_id, kind, params, node_id, [SUBPROTOCOL])
    async with _session(conn, heartbeat_s) as session:
        yield session


@asynccontextmanager
async def action_session(client: Client, job_id: str, alloc_id: str, group: str, task: str,
                         action: str, *, tty: bool = False, node_id: str | None = None,
                         heartbeat_s: float = HEARTBEAT_S) -> AsyncIterator[ExecSession]:
    """A job action (`action "name" {...}` in the task) run as an exec session, on
    Nomad's `/v1/job/<id>/action` WebSocket with its query."""
    params = {"task": task, "command": "[]", "tty": str(tty).lower(), "action": action,
              "allocID": alloc_id, "group": group}
    conn = await open_path(client, f"/v1/job/{path_id(job_id)}/action", params, node_id,
                           [SUBPROTOCOL])
    async with _session(conn, heartbeat_s) as session:
        yield session


@asynccontextmanager
async def _session(conn: ClientConnection, heartbeat_s: float) -> AsyncIterator[ExecSession]:
    session = ExecSession(conn, heartbeat_s)
    try:
        yield session
    finally:
        await session.aclose()


class ExecSession:
    """One open session. `send_stdin`, `close_stdin`, `resize` may be called from any task
    (they queue for the writer and wait while it is behind); iterate from one task only."""

    def __init__(self, conn: ClientConnection, heartbeat_s: float = HEARTBEAT_S) -> None:
        self._conn = conn
        self._heartbeat_s = heartbeat_s
        self._outbox: asyncio.Queue[str | bytes] = asyncio.Queue(_QUEUE)
        self._binary = conn.subprotocol == SUBPROTOCOL
        self._writer = asyncio.get_running_loop().create_task(self._write())
        self.exit_code: int | None = None

    async def send_stdin(self, data: bytes) -> None:
        for start in range(0, len(data), STDIN_CHUNK):
            await self._outbox.put(stdin_frame(data[start:start + STDIN_CHUNK], self._binary))

    async def close_stdin(self) -> None:
        await self._outbox.put(stdin_close_frame())

    async def resize(self, height: int, width: int) -> None:
        await self._outbox.put(tty_size_frame(height, width))

    def __aiter__(self) -> ExecSession:
        return self

    async def __anext__(self) -> ExecOutput:
        while self.exit_code is None:
            try:
                # Text comes as bytes too: the JSON is ASCII, no need to decode it twice.
                message = await self._conn.recv(decode=False)
            except ConnectionClosedOK as err:
                raise ExecError(f"websocket closed before receiving exit code: {err}") from None
            except ConnectionClosed as err:
                raise ExecError(err.rcvd.reason if err.rcvd and err.rcvd.reason
                                else str(err)) from None
            frame = decode_output(message, self._binary)
            if isinstance(frame, ExecOutput):
                return frame
            if isinstance(frame, int):
                self.exit_code = frame
        raise StopAsyncIteration

    async def aclose(self) -> None:
        """Stop the writer and close the connection (which ends a command still running)."""
        self._writer.cancel()
        await asyncio.gather(self._writer, return_exceptions=True)
        await self._conn.close()

    async def _write(self) -> None:
        closed = False
        while True:
            frame: str | bytes
            try:
                async with asyncio.timeout(self._heartbeat_s):
                    frame = await self._outbox.get()
            except TimeoutError:
                frame = HEARTBEAT
            if closed:
                continue  # keep taking frames, so senders never wait on a dead session
            try:
                await self._conn.send(frame)
            except ConnectionClosed:
                closed = True  # the reader reports why


def decode_output(message: str | bytes, binary: bool = False) -> ExecOutput | int | None:
    """One agent frame (`execproto.frames.decode_output`) as this library presents it."""
    try:
        frame = frames.decode_output(message, binary)
    except frames.FrameError as err:
        raise ExecError(err.message) from None
    return ExecOutput(*frame) if isinstance(frame, tuple) else frame


async def open_channel(client: Client, alloc_id: str, route: str, params: dict[str, str],
                       node_id: str | None, subprotocols: Sequence[str] = (), *,
                       node_address: str | None = None) -> ClientConnection:
    """Open `/v1/client/allocation/<alloc>/<route>` (exec, cp, port-forward, ...) as
    `open_path` does."""
    return await open_path(client, f"/v1/client/allocation/{path_id(alloc_id)}/{route}",
                           params, node_id, subprotocols, node_address=node_address)


async def open_path(client: Client, path: str, params: dict[str, str], node_id: str | None,
                    subprotocols: Sequence[str] = (), *,
                    node_address: str | None = None) -> ClientConnection:
    """Open the channel WebSocket at `path` (an allocation's route, or a job action's): on
    the node's own address (`node_address`, or looked up for `node_id`) when it answers
    within 1 s, else through the client's agent. APIError for an HTTP refusal,
    APIConnectionError otherwise."""
    params = dict(params)
    if client.namespace:
        params["namespace"] = client.namespace
    if client.region:
        params["region"] = client.region
    path = f"{path}?{urlencode(params)}"
    headers = {"X-Nomad-Token": client.token} if client.token else {}
    if node_address is None and node_id:
        node_address = await node_http_address(client, node_id)
    if node_address is not None:
        # As Nomad's api: a TLS node is checked for the name client.<region>.nomad.
        node_name = f"client.{client.region or 'global'}.nomad" \
            if node_address.startswith("https") else None
        try:
            return await _open(client, node_address + path, headers, NODE_DIAL_S, node_name,
                               subprotocols)
        except (APIError, APIConnectionError):
            pass  # as Nomad's client: the agent we were given forwards it instead
    return await _open(client, client.address + path, headers, None,
                       client.tls.tls_server_name or None, subprotocols)


async def node_http_address(client: Client, node_id: str) -> str | None:
    """The node's own HTTP address (None: go through the agent); ExecError("node down")
    for a down node."""
    try:
        node, _ = await asyncio.to_thread(client.nodes.info, node_id)
    except CaravanError:
        return None  # no node:read, say: go through the agent
    if node.status == "down":
        raise ExecError("node down")
    if not node.http_addr:
        return None
    if node.tls_enabled and client.ssl_context is None:
        return None  # no TLS settings to dial it with: go through the agent
    return f"{'https' if node.tls_enabled else 'http'}://{node.http_addr}"


async def _open(client: Client, url: str, headers: dict[str, str], timeout: float | None,
                server_name: str | None, subprotocols: Sequence[str]) -> ClientConnection:
    ws_url = "ws" + url.removeprefix("http")
    tls: dict[str, Any] = {}
    if url.startswith("https"):
        tls = {"ssl": client.ssl_context or client.tls.ssl_context()}
        if server_name:
            tls["server_hostname"] = server_name
    try:
        return await connect(ws_url, additional_headers=headers, open_timeout=timeout or 10,
                             **tls,
                             ping_interval=None, max_size=None, compression=None,
                             subprotocols=[Subprotocol(p) for p in subprotocols] or None)
    except InvalidStatus as err:
        raise APIError(err.response.status_code,
                       err.response.body.decode(errors="replace")) from None
    except (OSError, TimeoutError, InvalidHandshake) as err:
        raise APIConnectionError(url.split("/v1/")[0], str(err) or type(err).__name__) from None
