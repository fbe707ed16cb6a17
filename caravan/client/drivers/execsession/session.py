"""An `alloc exec` command as a host process, its stdio pumped to and from an ExecStream.

A driver says what to start (`ExecLaunch`); `run_exec` starts it in a new session,
never on the agent's controlling terminal (TIOCSTI hygiene), either on a pty pair it
owns (`tty`: all output is stdout) or on pipes (stdout and stderr apart), and returns
its exit code.

    spawn ─▶ pumps: input (stdin, resize) │ stdout │ stderr ─▶ the process exits
          ─▶ the pumps drain what is buffered ─▶ exit code (128+N when killed by signal N)
    cancelled (the caller went away): the command's process tree is SIGKILLed and the
          spawned process reaped, then CancelledError propagates

`runtime_pid_file` marks argv as a runtime that starts the command itself (`runc exec`)
and writes the command's host PID there once it runs. Until then the runtime's stderr
may carry its own start error, so stderr is held back; a runtime that exits without
writing the PID failed to start the command, and its stderr says why. A runtime makes
the command's terminal itself and resizes it on SIGWINCH; a command started directly
gets our pty as its controlling terminal through util-linux `setsid --ctty`.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from caravan import process
from caravan.client.drivers.base import ExecStream
from caravan.client.drivers.execsession.command import ChildCommand, Command
from caravan.client.drivers.execsession.stdio import FdWaiter, Stdio, set_window_size
from caravan.errors import DriverError, ProcessFailed
from caravan.execproto.frames import OutputStream, StdinClose, StdinData, TerminalSize

CHUNK = 1024 * 1024  # as much as the pipe holds (stdio._PIPE_SIZE): fewer, larger frames
_EOT = b"\x04"  # a terminal reads it as end of input
_PID_POLL_S = 0.005


class ExecStartFailed(DriverError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"failed to start command: {reason}")


@dataclass(frozen=True)
class ExecLaunch:
    argv: list[str]
    env: dict[str, str]
    tty: bool
    cwd: str | None = None
    uid: int | None = None
    gid: int | None = None
    groups: list[int] | None = None
    runtime_pid_file: Path | None = None
    # Set: argv is started elsewhere, given the child's three stdio fds (a detached
    # runtime the task's executor runs and reaps); None: we spawn argv ourselves.
    start_detached: Callable[[tuple[int, int, int]], Awaitable[Command]] | None = None


async def run_exec(launch: ExecLaunch, stream: ExecStream) -> int:
    """Run `launch` with its stdio on `stream`; see the module docstring."""
    runtime = launch.runtime_pid_file is not None
    stdio = Stdio.open(launch.tty, separate_err=runtime or not launch.tty, raw=runtime)
    try:
        if launch.start_detached is not None:
            command = await launch.start_detached(stdio.child)
        else:
            command = ChildCommand(await _spawn(launch, stdio), launch.runtime_pid_file)
    except ProcessFailed as err:
        stdio.close()
        raise ExecStartFailed(str(err.__cause__ or err)) from err
    except BaseException:
        stdio.close()
        raise
    stdio.close_child()  # the child has them; EOF/EIO reach us once it is gone
    session = _Session(launch, stdio, command, stream)
    try:
        return await session.run()
    finally:
        try:
            await asyncio.shield(session.stop())
        finally:
            stdio.close()


async def _spawn(launch: ExecLaunch, stdio: Stdio) -> asyncio.subprocess.Process:
    argv, new_session = launch.argv, True
    if launch.tty and launch.runtime_pid_file is None:
        setsid = shutil.which("setsid")
        if setsid is None:
            raise ExecStartFailed("a tty session needs util-linux setsid on the client")
        # setsid(1) makes the session and the controlling terminal; it must not be a
        # process group leader already, or it would fork and exit at once.
        argv, new_session = [setsid, "--ctty", *argv], False
    stdin, stdout, stderr = stdio.child
    return await process.start(
        argv, stdin=stdin, stdout=stdout, stderr=stderr, env=launch.env, cwd=launch.cwd,
        user=launch.uid, group=launch.gid, extra_groups=launch.groups,
        start_new_session=new_session)


class _Session:
    def __init__(self, launch: ExecLaunch, stdio: Stdio, command: Command,
                 stream: ExecStream) -> None:
        self._launch = launch
        self._stdio = stdio
        self._command = command
        self._stream = stream
        self._waiter = FdWaiter()
        self._exited = False
        self._held = bytearray()  # a runtime's stderr until the command is known to run

    async def run(self) -> int:
        async with asyncio.TaskGroup() as tg:
            inputs = tg.create_task(self._pump_input())
            pumps = [tg.create_task(self._pump("stdout", self._stdio.out))]
            if self._stdio.err is not None:
                pumps.append(tg.create_task(self._pump_stderr(self._stdio.err)))
            if self._launch.runtime_pid_file is not None:
                tg.create_task(self._watch_pid())
            code = await self._command.wait()
            self._exited = True
            self._waiter.wake_all()  # pumps now drain what is buffered, then end
            await asyncio.wait(pumps)
            inputs.cancel()
        if not self._started():
            reason = self._held.decode(errors="replace").strip().removeprefix("exec failed: ")
            raise ExecStartFailed(reason or f"the runtime exited with code {code}")
        return 128 - code if code < 0 else code

    async def stop(self) -> None:
        """After an early end: kill what the session started and reap it."""
        await self._command.stop()

    def _started(self) -> bool:
        pid_file = self._launch.runtime_pid_file
        return pid_file is None or pid_file.exists()

    # ---- output ----------------------------------------------------------------------

    async def _pump(self, stream: OutputStream, fd: int) -> None:
        while (data := await self._read(fd)) != b"":
            if data is not None:
                await self._stream.send(stream, data)
        await self._stream.send(stream, b"")

    async def _pump_stderr(self, fd: int) -> None:
        """stderr, held back while it may still be the runtime's own start error."""
        forward = not self._launch.tty  # with a pty, this is only ever the runtime's own
        while (data := await self._read(fd)) != b"":
            self._held += data or b""
            if self._held and self._started():
                if forward:
                    await self._stream.send("stderr", bytes(self._held))
                self._held.clear()
        if forward:
            if self._held and self._started():
                await self._stream.send("stderr", bytes(self._held))
            await self._stream.send("stderr", b"")

    async def _watch_pid(self) -> None:
        """Wake the pumps once the command runs, so held stderr is not left waiting."""
        while not self._started() and not self._exited:
            await asyncio.sleep(_PID_POLL_S)
        self._waiter.wake_all()

    async def _read(self, fd: int) -> bytes | None:
        """Some bytes; b"" at the end; None after waiting (readable, or woken)."""
        try:
            return os.read(fd, CHUNK)
        except BlockingIOError:
            if self._exited:
                return b""  # the process is gone and nothing is buffered
        except OSError as err:
            if err.errno == errno.EIO:
                return b""  # a pty whose other side is closed
            raise
        await self._waiter.wait(fd)
        return None

    # ---- input -----------------------------------------------------------------------

    async def _pump_input(self) -> None:
        stdin_open = True
        while (event := await self._stream.receive()) is not None:
            if isinstance(event, StdinData) and stdin_open:
                stdin_open = await self._write(event.data)
            elif isinstance(event, StdinClose) and stdin_open:
                if self._launch.tty:
                    await self._write(_EOT)
                else:
                    self._stdio.close_stdin()
                stdin_open = False
            elif isinstance(event, TerminalSize) and self._launch.tty:
                self._resize(event)

    async def _write(self, data: bytes) -> bool:
        """Write all of `data` to the command's stdin; False once it takes no more."""
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self._stdio.inp, view):]
            except BlockingIOError:
                await self._waiter.wait(self._stdio.inp, writable=True)
            except OSError as err:
                if err.errno in (errno.EPIPE, errno.EIO, errno.EBADF):
                    return False
                raise
        return True

    def _resize(self, size: TerminalSize) -> None:
        set_window_size(self._stdio.out, size)
        self._command.winch()  # runc reads the new size from its own stdin (our pty)


