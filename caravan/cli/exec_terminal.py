"""The local terminal of an exec-style session (`alloc exec`, `alloc debug`, `job action`):
its options, raw mode (always restored) and the escape character over stdin.
Pure or termios-only, so the lean exec path imports it at no cost."""

from __future__ import annotations

import os
import sys
import termios
import tty as termmode
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_NEWLINES = (0x0A, 0x0D)


@dataclass(frozen=True)
class Options:
    tty: bool
    stdin: bool
    escape: str  # "" when disabled
    user: str = ""  # -u: run as this user (the node's allow_exec_users decides)


class EscapeFilter:
    """The escape character over stdin bytes: at the start of the session or right after
    `\\n`/`\\r`, `<esc>.` closes, `<esc><esc>` sends one `<esc>`, `<esc>` plus anything
    else sends both. Feed chunks as they come; `flush()` at end of input."""

    def __init__(self, escape: int) -> None:
        self._escape = escape
        self._line_start = True
        self._pending = False  # an escape at line start, waiting for the next byte

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        """(bytes to send, whether `<esc>.` asked to close)."""
        out = bytearray()
        for byte in data:
            if self._pending:
                self._pending = False
                if byte == ord("."):
                    return bytes(out), True
                if byte != self._escape:
                    out.append(self._escape)
                out.append(byte)
                self._line_start = byte != self._escape and byte in _NEWLINES
            elif self._line_start and byte == self._escape:
                self._pending = True
            else:
                out.append(byte)
                self._line_start = byte in _NEWLINES
        return bytes(out), False

    def flush(self) -> bytes:
        pending, self._pending = self._pending, False
        return bytes([self._escape]) if pending else b""


def both_terminals() -> bool:
    return os.isatty(sys.stdin.fileno()) and os.isatty(sys.stdout.fileno())


@contextmanager
def raw_terminal(fd: int | None) -> Iterator[Callable[[], None]]:
    """Raw mode on `fd` (None: nothing to do); the yielded function restores it early.
    Restored on every way out: exit, error, Ctrl-C, SIGTERM, a closed connection."""
    if fd is None:
        yield lambda: None
        return
    saved = termios.tcgetattr(fd)
    restored = False

    def restore() -> None:
        nonlocal restored
        if not restored:
            restored = True
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    termmode.setraw(fd, termios.TCSADRAIN)
    try:
        yield restore
    finally:
        restore()
