"""Nomad's Task API: the agent's HTTP API on a unix socket inside the task's secrets dir.

    secrets/api.sock   (owned by the task user, 0600)
        │  HTTP/1.1 (uvicorn on the socket)
        ▼
    proxy: adds `X-Nomad-Token: <the task's workload identity>` unless the caller sent
        │  a token of its own, then relays the request and streams the answer back
        ▼
    the agent's own HTTP listener (TLS and client certificates as the agent uses them)

Only processes that can reach the task's secrets dir can connect: the exec driver
keeps it a private tmpfs of the task user, so the socket itself is the credential
(as Nomad's Task API is, with the identity it requires). So `caravan var get` works
inside a task with no address and no token: the CLI finds `$NOMAD_SECRETS_DIR/api.sock`.
WebSocket routes (alloc exec) are not relayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import stat
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from caravan.client.beneath import Root

SOCKET_NAME = "api.sock"
_HOP_BY_HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer",
               b"upgrade", b"host", b"proxy-authorization", b"proxy-connection"}
_AUTH_HEADERS = {b"x-nomad-token", b"authorization"}

TokenSource = Callable[[], Awaitable[str]]
Scope = dict[str, Any]
Message = dict[str, Any]


class _Relay:
    """ASGI app: one request in, the same request (plus the identity) to the agent."""

    def __init__(self, http: httpx.AsyncClient, token: TokenSource) -> None:
        self._http = http
        self._token = token

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        headers = [(k, v) for k, v in scope["headers"]
                   if k.lower() not in _HOP_BY_HOP and k.lower() != b"content-length"]
        if not any(k.lower() in _AUTH_HEADERS for k, _ in headers):
            headers.append((b"x-nomad-token", (await self._token()).encode()))
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        request = self._http.build_request(scope["method"], target.decode("latin-1"),
                                           headers=headers, content=body)
        try:
            reply = await self._http.send(request, stream=True)
        except httpx.TransportError as err:
            await _plain(send, 502, f"the agent did not answer: {err}\n")
            return
        try:
            await send({"type": "http.response.start", "status": reply.status_code,
                        "headers": [(k, v) for k, v in reply.headers.raw
                                    if k.lower() not in _HOP_BY_HOP]})
            async for chunk in reply.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await reply.aclose()


async def _read_body(receive: Callable[[], Awaitable[Message]]) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _plain(send: Callable[[Message], Awaitable[None]], status: int, text: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": text.encode()})


class _Server(uvicorn.Server):
    """uvicorn without signal handling: the agent owns its signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind_socket(task_dir: Path, owner: tuple[int, int] | None) -> socket.socket:
    """A listening socket at `<task_dir>/secrets/api.sock`, replacing a stale one. The
    directory is reached through a descriptor opened beneath the task dir, so a
    symlink a task left at `secrets` is refused, never followed."""
    with Root.open(task_dir) as root, root.opendir("secrets") as secrets:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(SOCKET_NAME, dir_fd=secrets.fd)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            # Bound through the directory's descriptor: the path never leaves it.
            sock.bind(f"/proc/self/fd/{secrets.fd}/{SOCKET_NAME}")
            # Owner and mode go through a descriptor of the node itself (O_PATH, never
            # following a link): a running task (an agent restart re-binds under it) may
            # swap the name for a symlink, and a chmod by path would follow it as root.
            node = os.open(SOCKET_NAME, os.O_PATH | os.O_NOFOLLOW, dir_fd=secrets.fd)
            try:
                if not stat.S_ISSOCK(os.fstat(node).st_mode):
                    raise OSError(f"{secrets.shown(SOCKET_NAME)} is not the socket just bound")
                if owner is not None:
                    os.chown(f"/proc/self/fd/{node}", *owner)
                os.chmod(f"/proc/self/fd/{node}", 0o600)
            finally:
                os.close(node)
            sock.listen(64)
        except BaseException:
            sock.close()
            raise
        return sock


class TaskAPIConfig:
    """Where every task's relay sends requests: the agent's own listener, as the agent
    calls it. One HTTP client for all tasks (building one costs an SSL context, far too
    much for every task start); the client agent closes it when it stops."""

    def __init__(self, agent_url: str, verify: ssl.SSLContext | bool = True) -> None:
        self.agent_url = agent_url
        self.verify = verify
        self._http: httpx.AsyncClient | None = None

    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            # Blocking queries and followed logs may stay open for minutes.
            self._http = httpx.AsyncClient(
                base_url=self.agent_url, verify=self.verify,
                timeout=httpx.Timeout(30.0, read=None),
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=32))
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


class TaskAPIServer:
    """One task's socket and the uvicorn serving it. `start()` once; `stop()` is
    idempotent and removes the socket file."""

    def __init__(self, config: TaskAPIConfig, token: TokenSource) -> None:
        self._config = config
        self._token = token
        self._server: _Server | None = None
        self._serving: asyncio.Task[None] | None = None
        self._task_dir: Path | None = None

    async def start(self, task_dir: Path, owner: tuple[int, int] | None) -> None:
        sock = await asyncio.to_thread(bind_socket, task_dir, owner)
        self._task_dir = task_dir
        # log_config=None: the agent configured logging once; a task start must not redo it.
        config = uvicorn.Config(_Relay(self._config.http(), self._token), log_config=None,
                                lifespan="off", access_log=False, timeout_graceful_shutdown=1)
        self._server = _Server(config)
        self._serving = asyncio.create_task(self._server.serve(sockets=[sock]),
                                            name=f"task api {task_dir}")

    async def stop(self) -> None:
        if self._server is not None and self._serving is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await self._serving
        if self._task_dir is not None:
            await asyncio.to_thread(_remove_socket, self._task_dir)
        self._server = self._serving = self._task_dir = None


def _remove_socket(task_dir: Path) -> None:
    with contextlib.suppress(OSError), Root.open(task_dir) as root:
        root.unlink(f"secrets/{SOCKET_NAME}")
