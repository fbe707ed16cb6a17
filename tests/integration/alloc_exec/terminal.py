"""The caravan CLI on a real pseudo-terminal, as a person at a keyboard would run it.

We hold the master end; the CLI gets the slave as stdin, stdout, stderr and as its
controlling terminal (util-linux `setsid --ctty`), so a resize of our end reaches it
as the kernel's own SIGWINCH. Reads wait for expected text up to a deadline.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time

from tests.agents import CARAVAN


class Terminal:
    def __init__(self, args: list[str], env: dict[str, str], rows: int = 24,
                 cols: int = 80) -> None:
        self.master, slave = os.openpty()
        self.resize(rows, cols)
        self.cooked = termios.tcgetattr(self.master)
        self.proc = subprocess.Popen(["setsid", "--ctty", CARAVAN, *args], stdin=slave,
                                     stdout=slave, stderr=slave, env=env)
        os.close(slave)
        self.output = b""

    def resize(self, rows: int, cols: int) -> None:
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def attrs(self) -> list[object]:
        return termios.tcgetattr(self.master)

    def is_raw(self) -> bool:
        lflag = self.attrs()[3]
        assert isinstance(lflag, int)
        return not lflag & (termios.ICANON | termios.ECHO | termios.ISIG)

    def type(self, text: str | bytes) -> None:
        os.write(self.master, text.encode() if isinstance(text, str) else text)

    def expect(self, pattern: str | bytes, timeout_s: float = 30.0) -> re.Match[bytes]:
        """Read until `pattern` (a regex) matches what arrived since the last match."""
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout_s
        while (match := regex.search(self.output)) is None:
            if not self._read(deadline - time.monotonic()):
                raise AssertionError(f"no {pattern!r} in {self.output!r}")
        self.output = self.output[match.end():]
        return match

    def interrupt_until(self, pattern: str, tries: int = 20) -> None:
        """Type ctrl-C until `pattern` appears.

        The pty echoes a typed command before the shell has made it the foreground
        job; a ctrl-C in that gap reaches only the shell, which ignores it, so one
        keypress can be lost. A person would press it again; so do we.
        """
        for _ in range(tries):
            self.type(b"\x03")
            try:
                self.expect(pattern, timeout_s=1.5)
                return
            except AssertionError:
                continue
        raise AssertionError(f"no {pattern!r} after {tries} ctrl-C: {self.output!r}")

    def wait(self, timeout_s: float = 30.0) -> int:
        """The CLI's exit code, once it has exited (its remaining output is read)."""
        deadline = time.monotonic() + timeout_s
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.05)
        code = self.proc.wait(max(0.1, deadline - time.monotonic()))
        while self._read(0.05):
            pass
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)

    def _read(self, timeout_s: float) -> bool:
        if timeout_s <= 0 or not select.select([self.master], [], [], timeout_s)[0]:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the CLI closed its end
            return False
        self.output += data
        return bool(data)
