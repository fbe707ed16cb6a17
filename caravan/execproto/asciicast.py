"""Session recordings as asciicast v2 (what `asciinema play` reads): encode and decode.

    {"version": 2, "width": 120, "height": 40, "timestamp": 1764763200, ...}   header
    [0.215, "o", "$ "]                                  output, seconds since the start
    [1.020, "i", "ls\\r"]                                input (only when recorded)
    [1.500, "r", "100x30"]                              a resize, COLSxROWS

The terminal carries bytes; asciicast carries text. Output is decoded as UTF-8 one
stream at a time, so a character split across two chunks lands whole in one event,
and bytes that are not UTF-8 travel as lone surrogates (Python's `surrogateescape`,
written by JSON as `\\udcXX`): `event_bytes` gives back exactly the bytes the caller
received, while a player shows them as replacement characters. Pure: no I/O.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from typing import Any, Literal

VERSION = 2
EventCode = Literal["o", "i", "r"]
_CODES = ("o", "i", "r")


class AsciicastError(ValueError):
    """A recording that is not asciicast v2; the message names the line."""


@dataclass(frozen=True, slots=True)
class Header:
    width: int
    height: int
    timestamp: int  # Unix seconds
    title: str = ""

    def encode(self) -> str:
        header: dict[str, Any] = {"version": VERSION, "width": self.width,
                                  "height": self.height, "timestamp": self.timestamp}
        if self.title:
            header["title"] = self.title
        return json.dumps(header) + "\n"


@dataclass(frozen=True, slots=True)
class Event:
    time: float
    code: EventCode
    data: str

    def encode(self) -> str:
        return json.dumps([round(self.time, 6), self.code, self.data]) + "\n"


def event_bytes(event: Event) -> bytes:
    """The bytes an output or input event stands for (see the module docstring)."""
    return event.data.encode("utf-8", "surrogateescape")


class TextStream:
    """Bytes of one stream -> text for events, never splitting a character."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")

    def feed(self, data: bytes, final: bool = False) -> str:
        return self._decoder.decode(data, final)


def decode(text: str) -> tuple[Header, list[Event]]:
    """A whole recording; raises AsciicastError naming the first bad line."""
    lines = text.splitlines()
    if not lines:
        raise AsciicastError("empty recording: no header line")
    header = _header(lines[0])
    events = [_event(line, n) for n, line in enumerate(lines[1:], start=2) if line.strip()]
    return header, events


def _header(line: str) -> Header:
    try:
        raw = json.loads(line)
    except ValueError as err:
        raise AsciicastError(f"line 1: the header is not JSON: {err}") from None
    if not isinstance(raw, dict) or raw.get("version") != VERSION:
        raise AsciicastError("line 1: not an asciicast v2 header (version must be 2)")
    try:
        return Header(int(raw["width"]), int(raw["height"]), int(raw.get("timestamp", 0)),
                      str(raw.get("title", "")))
    except (KeyError, TypeError, ValueError) as err:
        raise AsciicastError(f"line 1: header needs integer width and height: {err}") \
            from None


def _event(line: str, number: int) -> Event:
    try:
        raw = json.loads(line)
    except ValueError as err:
        raise AsciicastError(f"line {number}: not JSON: {err}") from None
    if (not isinstance(raw, list) or len(raw) != 3 or raw[1] not in _CODES
            or not isinstance(raw[0], (int, float)) or not isinstance(raw[2], str)):
        raise AsciicastError(f'line {number}: an event is [time, "o"|"i"|"r", data]')
    code: EventCode = raw[1]
    return Event(float(raw[0]), code, raw[2])
