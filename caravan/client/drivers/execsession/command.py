"""What an exec session started, as the session waits for it and ends it: our own child
process (`ChildCommand`), or a command the task's executor started detached and reaps
(`DetachedCommand`: `runc exec --detach`, so no foreground runc is kept per session).

`stop()` after an early end kills the command's process tree and collects what we
started; it never signals a PID that is no longer the command's (proctree.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any, Protocol

from caravan import process
from caravan.client.drivers.execsession.proctree import kill_tree, read_pid
from caravan.errors import DriverError

_STOP_WAIT_S = 5.0
_STOP_POLL_S = 0.05


class Command(Protocol):
    @property
    def returncode(self) -> int | None: ...

    async def wait(self) -> int:
        """The exit code; -N when the command (or its runtime) was killed by signal N."""

    async def stop(self) -> None: ...

    def winch(self) -> None:
        """The terminal was resized (a runtime with a pty re-reads its size)."""


class ChildCommand:
    """A process we spawned: the command itself, or a runtime in the foreground that
    writes the command's PID to `pid_file` once it runs."""

    def __init__(self, proc: asyncio.subprocess.Process, pid_file: Path | None) -> None:
        self._proc = proc
        self._pid_file = pid_file

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode

    async def wait(self) -> int:
        return await self._proc.wait()

    async def stop(self) -> None:
        if self._proc.returncode is not None:
            return
        command = await self._command_pid() if self._pid_file else self._proc.pid
        if command is not None:
            await kill_tree(command, parent=self._proc.pid if self._pid_file else os.getpid())
        await process.stop(self._proc, sig=signal.SIGKILL)

    async def _command_pid(self) -> int | None:
        """The command's PID once the runtime has written it. runc writes the file only
        after the command runs (it may have printed already): killing the runtime before
        that would leave the command running, re-parented to the task's init."""
        assert self._pid_file is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _STOP_WAIT_S
        while (pid := read_pid(self._pid_file)) is None and self._proc.returncode is None \
                and loop.time() < deadline:
            await asyncio.sleep(_STOP_POLL_S / 10)
        return pid

    def winch(self) -> None:
        if self._pid_file is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGWINCH)


class DetachedCommand:
    """A command the executor (`executor_pid`) started with a detached runtime on our
    stdio fds. Its replies on `reader`: {"started": false, "exit_code"} when the runtime
    failed, else {"started": true, "pid"} and then {"exit_code"} once it has exited."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 executor_pid: int, pid_file: Path) -> None:
        self._reader = reader
        self._writer = writer
        self._executor_pid = executor_pid
        self._pid_file = pid_file
        self._exit: asyncio.Task[int] = asyncio.create_task(self._collect())

    @property
    def returncode(self) -> int | None:
        done = self._exit.done() and not self._exit.cancelled() and not self._exit.exception()
        return self._exit.result() if done else None

    async def wait(self) -> int:
        return await asyncio.shield(self._exit)

    async def _collect(self) -> int:
        try:
            while "exit_code" not in (reply := await self._reply()):
                pass
            return int(reply["exit_code"])
        finally:
            self._writer.close()

    async def _reply(self) -> dict[str, Any]:
        line = await self._reader.readline()
        if not line:
            raise DriverError("the task's executor ended the exec session")
        reply: dict[str, Any] = json.loads(line)
        if reply.get("ok") is not True:
            raise DriverError(str(reply.get("error") or "the executor refused the session"))
        return reply

    async def stop(self) -> None:
        """Kill the command (once the runtime has named it) until the executor reports
        its exit; a runtime still starting it is waited for."""
        deadline = asyncio.get_running_loop().time() + _STOP_WAIT_S
        while not self._exit.done() and asyncio.get_running_loop().time() < deadline:
            command = read_pid(self._pid_file)
            if command is not None:
                await kill_tree(command, parent=self._executor_pid)
            await asyncio.wait({self._exit}, timeout=_STOP_POLL_S)
        if not self._exit.done():
            self._exit.cancel()
        elif not self._exit.cancelled():
            self._exit.exception()  # retrieved: an executor that went away is no news here

    def winch(self) -> None:
        pass  # detached sessions have no pty of their own (tty sessions use ChildCommand)
