"""One session's terminal, written as an asciicast v2 file while the session runs.

The header needs the terminal's size, which a tty session sends as its first input,
after the session opened; so the header is written at the first event (80x24 when no
size came). Each event is flushed as it happens, so what a session showed before an
agent crash is on disk. Output is decoded per stream (`asciicast.TextStream`), so
stdout and stderr never split each other's characters. Past `max_bytes` (0: no limit)
nothing more is written and `truncated` says so; the session itself goes on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from caravan.execproto.asciicast import Event, EventCode, Header, TextStream

DEFAULT_SIZE = (80, 24)


class Recorder:
    """Not thread-safe; the session's tasks call it from the event loop."""

    def __init__(self, path: Path, started_ns: int, monotonic_start: float,
                 record_input: bool, title: str, max_bytes: int = 0) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        self._file: IO[str] = os.fdopen(fd, "w", encoding="utf-8")
        self._start = monotonic_start
        self._timestamp = started_ns // 1_000_000_000
        self._title = title
        self._size: tuple[int, int] | None = None
        self._header_written = False
        self.record_input = record_input
        self._streams: dict[str, TextStream] = {}
        self._max_bytes = max_bytes
        self._written = 0
        self.truncated = False

    def resize(self, now: float, width: int, height: int) -> None:
        if not self._header_written and self._size is None:
            self._size = (width, height)  # the header carries the first size
            return
        self._write(now, "r", f"{width}x{height}")

    def output(self, now: float, stream: str, data: bytes) -> None:
        text = self._streams.setdefault(stream, TextStream()).feed(data, final=not data)
        if text:
            self._write(now, "o", text)

    def input(self, now: float, data: bytes) -> None:
        if self.record_input and data:
            # Input is never mixed with output, so one decoder of its own.
            text = self._streams.setdefault("\0stdin", TextStream()).feed(data)
            if text:
                self._write(now, "i", text)

    def close(self) -> None:
        if not self._header_written:
            self._write_header()
        self._file.close()

    def _write(self, now: float, code: EventCode, data: str) -> None:
        if not self._header_written:
            self._write_header()
        if self.truncated:
            return
        line = Event(max(0.0, now - self._start), code, data).encode()
        self._written += len(line)
        if self._max_bytes and self._written > self._max_bytes:
            self.truncated = True
            return
        self._file.write(line)
        self._file.flush()

    def _write_header(self) -> None:
        width, height = self._size or DEFAULT_SIZE
        self._file.write(Header(width, height, self._timestamp, self._title).encode())
        self._header_written = True
