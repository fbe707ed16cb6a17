"""An exec session's stdio: a pty pair (tty) or pipes, our ends non-blocking, and the
waits on them that the pumps use."""

from __future__ import annotations

import asyncio
import fcntl
import os
import struct
import termios
import tty as tty_mode
from collections.abc import Iterable
from dataclasses import dataclass

from caravan.execproto.frames import TerminalSize

_PIPE_SIZE = 1024 * 1024
_INITIAL_SIZE = TerminalSize(24, 80)  # until the caller sends its own


def set_window_size(fd: int, size: TerminalSize) -> None:
    rows, cols = (min(max(v, 0), 0xFFFF) for v in (size.height, size.width))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


@dataclass
class Stdio:
    """Our non-blocking ends (`out`, `err`, `inp`) and the child's three fds."""

    out: int
    err: int | None
    inp: int
    child: tuple[int, int, int]
    _open: set[int]

    @classmethod
    def open(cls, tty: bool, separate_err: bool, raw: bool = False) -> Stdio:
        """`raw`: the pty only carries bytes to a runtime that makes the command's own
        terminal (runc's console). Left in cooked mode it would echo every input line a
        second time and turn the inner terminal's CR-NL into CR-CR-NL."""
        opened: set[int] = set()
        if tty:
            master, slave = os.openpty()
            set_window_size(master, _INITIAL_SIZE)
            if raw:
                tty_mode.setraw(slave, termios.TCSANOW)
            out = inp = master
            child_in = child_out = slave
            opened |= {master, slave}
        else:
            out, child_out = _pipe()
            child_in, inp = _pipe()
            opened |= {out, child_out, child_in, inp}
        err, child_err = _pipe() if separate_err else (None, child_out)
        opened |= {fd for fd in (err, child_err) if fd is not None}
        for fd in (out, inp, err):
            if fd is not None:
                os.set_blocking(fd, False)
        return cls(out, err, inp, (child_in, child_out, child_err), opened)

    def close_child(self) -> None:
        self._close(self.child)

    def close_stdin(self) -> None:
        self._close([self.inp])

    def close(self) -> None:
        self._close(list(self._open))

    def _close(self, fds: Iterable[int]) -> None:
        for fd in set(fds) & self._open:
            self._open.discard(fd)
            os.close(fd)


def _pipe() -> tuple[int, int]:
    read, write = os.pipe2(os.O_CLOEXEC)
    # Room for bigger reads when we fall behind: fewer, larger frames on a fast stream.
    fcntl.fcntl(read, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    return read, write


class FdWaiter:
    """Waits for an fd to be readable or writable; `wake_all()` ends every wait early."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._waits: set[asyncio.Future[None]] = set()

    async def wait(self, fd: int, writable: bool = False) -> None:
        done: asyncio.Future[None] = self._loop.create_future()
        add, remove = ((self._loop.add_writer, self._loop.remove_writer) if writable
                       else (self._loop.add_reader, self._loop.remove_reader))
        add(fd, _resolve, done)
        self._waits.add(done)
        try:
            await done
        finally:
            remove(fd)
            self._waits.discard(done)

    def wake_all(self) -> None:
        for done in list(self._waits):
            _resolve(done)


def _resolve(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)
