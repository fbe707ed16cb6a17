"""Talking to a running executor over its unix socket: one request, one reply, per connection.

Each call opens its own connection, so concurrent calls (a `wait` and a `stop`)
never share a stream, and cancelling one just closes its socket.
"""

from __future__ import annotations

import array
import asyncio
import json
import os
import socket
import signal as signals
from pathlib import Path
from typing import Any

from caravan.client.drivers.executor.launcher import ExecutorState, ExitRecord
from caravan.errors import DriverError

SOCKET_NAME = "executor.sock"
# sun_path holds 108 bytes; longer paths are reached through /proc/self/fd/<dirfd>/.
_MAX_SOCKET_PATH = 100


class ExecutorGone(DriverError):
    """The executor's socket is gone or broke: it has exited (or crashed)."""


class ExecutorConnection:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir

    async def state(self) -> tuple[ExecutorState, bool]:
        """The executor's recorded state and whether its task has exited."""
        reply = await self._call({"op": "state"})
        return ExecutorState.model_validate(reply["state"]), bool(reply.get("exited"))

    async def wait(self) -> ExitRecord:
        reply = await self._call({"op": "wait"})
        return ExitRecord.model_validate(reply["result"])

    async def stop(self, sig: int, timeout_s: float) -> ExitRecord:
        reply = await self._call({"op": "stop", "signal": sig, "timeout": timeout_s})
        return ExitRecord.model_validate(reply["result"])

    async def signal(self, sig: int) -> None:
        await self._call({"op": "signal", "signal": int(sig or signals.SIGINT)})

    async def exec_detached(self, request: dict[str, Any], fds: tuple[int, int, int]
                            ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Hand the executor an `exec` request with the session's stdio fds (SCM_RIGHTS);
        the connection stays open for its two replies (see executor.py)."""
        path = self.state_dir / SOCKET_NAME
        dir_fd = None
        if len(str(path)) >= _MAX_SOCKET_PATH:  # reached through our fd of its directory
            dir_fd = os.open(self.state_dir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            path = Path(f"/proc/self/fd/{dir_fd}/{SOCKET_NAME}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, str(path))
            # A fresh connection's send buffer takes this small message whole.
            sock.sendmsg([json.dumps(request).encode() + b"\n"],
                         [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
            return await asyncio.open_unix_connection(sock=sock)
        except OSError as err:
            sock.close()
            raise ExecutorGone(f"executor is not reachable: {err}") from err
        finally:
            if dir_fd is not None:
                os.close(dir_fd)

    async def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        reader, writer = await self._open()
        try:
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            line = await reader.readline()
        except OSError as err:
            raise ExecutorGone(f"executor connection failed: {err}") from err
        finally:
            writer.close()
        if not line:
            raise ExecutorGone("executor closed the connection")
        reply: dict[str, Any] = json.loads(line)
        if reply.get("ok") is not True:
            raise DriverError(str(reply.get("error") or "executor request failed"))
        return reply

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        path = self.state_dir / SOCKET_NAME
        try:
            if len(str(path)) < _MAX_SOCKET_PATH:
                return await asyncio.open_unix_connection(str(path))
            dir_fd = os.open(self.state_dir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                return await asyncio.open_unix_connection(f"/proc/self/fd/{dir_fd}/{SOCKET_NAME}")
            finally:
                os.close(dir_fd)
        except OSError as err:
            raise ExecutorGone(f"executor is not reachable: {err}") from err
