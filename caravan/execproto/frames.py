"""`alloc exec` frames on the wire, both directions: Nomad's JSON and caravan's binary variant.

Nomad's frames (nomad-facts §4.7) are JSON text messages with base64 data:

    client -> agent   {"stdin":{"data":"<b64>"}}  {"stdin":{"close":true}}
                      {"tty_size":{"height":H,"width":W}}  {} (heartbeat, ignored)
    agent -> client   {"stdout"|"stderr":{"data":"<b64>"}}  {"stdout":{"close":true}}
                      {"exited":true,"result":{"exit_code":N}}  (exit_code left out when 0)

A client that offers the WebSocket subprotocol `caravan.exec.binary` (caravan's own
does; Nomad's do not) gets data as binary messages instead: one stream byte (0 stdin,
1 stdout, 2 stderr), then the raw bytes. Control frames stay JSON. base64 and JSON
cost more CPU than the rest of a stream put together.

The agent decodes inputs (`decode_input`) and encodes output (`output_frame`,
`exit_frame`); the client encodes inputs (`stdin_frame`, `stdin_close_frame`,
`tty_size_frame`, `HEARTBEAT`) and decodes output (`decode_output`; the client library
presents it as its own `ExecOutput`). Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Literal

from caravan.errors import CaravanError

SUBPROTOCOL = "caravan.exec.binary"
HEARTBEAT = "{}"

OutputStream = Literal["stdout", "stderr"]
_STDIN_ID = 0
_STREAM_IDS: dict[OutputStream, bytes] = {"stdout": b"\x01", "stderr": b"\x02"}
_BINARY_STREAMS: dict[int, OutputStream] = {1: "stdout", 2: "stderr"}
_STREAMS: tuple[OutputStream, OutputStream] = ("stdout", "stderr")
# Output frames as our agents and Nomad lay them out, read without a JSON parser.
_FAST: dict[bytes, OutputStream] = {b'{"stdout":{"data":"': "stdout",
                                    b'{"stderr":{"data":"': "stderr"}
_FAST_LEN = len('{"stdout":{"data":"')


# What a client sends. Plain dataclasses rather than models: a binary stream passes
# thousands of them a second.
@dataclass(frozen=True, slots=True)
class StdinData:
    data: bytes


@dataclass(frozen=True, slots=True)
class StdinClose:
    """End of stdin (a pipe is closed; a pty gets the EOF character)."""


@dataclass(frozen=True, slots=True)
class TerminalSize:
    height: int
    width: int


ExecInput = StdinData | StdinClose | TerminalSize
# What an agent sends: a chunk of one output stream, or (an int) the exit code.
Output = tuple[OutputStream, bytes]


class FrameError(CaravanError):
    """A frame that does not decode; the session ends with this reason."""


# ---- client -> agent ---------------------------------------------------------------------


def stdin_frame(data: bytes, binary: bool) -> str | bytes:
    if binary:
        return bytes([_STDIN_ID]) + data
    return f'{{"stdin":{{"data":"{base64.b64encode(data).decode("ascii")}"}}}}'


def stdin_close_frame() -> str:
    return '{"stdin":{"close":true}}'


def tty_size_frame(height: int, width: int) -> str:
    return json.dumps({"tty_size": {"height": height, "width": width}})


def decode_input(message: str | bytes) -> ExecInput | None:
    """One client frame; None for a heartbeat (or nothing we act on). Bytes are a
    binary-subprotocol frame: a stream byte (0, stdin) and the data."""
    if isinstance(message, bytes):
        if message[:1] != bytes([_STDIN_ID]):
            raise FrameError("failed to decode an exec frame: not a stdin frame")
        return StdinData(message[1:]) if len(message) > 1 else None
    try:
        frame = json.loads(message)
        stdin, size = frame.get("stdin") or {}, frame.get("tty_size")
        if stdin.get("data"):
            return StdinData(base64.b64decode(stdin["data"], validate=True))
        if stdin.get("close"):
            return StdinClose()
        if size:
            return TerminalSize(int(size.get("height", 0)), int(size.get("width", 0)))
    except (ValueError, TypeError, AttributeError, binascii.Error) as err:
        raise FrameError(f"failed to decode an exec frame: {err}") from None
    return None


# ---- agent -> client ---------------------------------------------------------------------


def output_frame(stream: OutputStream, data: bytes, binary: bool = False) -> str | bytes:
    """`{"stdout":{"data":..}}` (or the binary frame), or `{"stdout":{"close":true}}` for
    an empty chunk. Built by hand: base64 needs no JSON escaping, and streams are long."""
    if not data:
        return f'{{"{stream}":{{"close":true}}}}'
    if binary:
        return _STREAM_IDS[stream] + data
    return f'{{"{stream}":{{"data":"{base64.b64encode(data).decode("ascii")}"}}}}'


def exit_frame(code: int) -> str:
    result = f'{{"exit_code":{code}}}' if code else "{}"
    return f'{{"exited":true,"result":{result}}}'


def decode_output(message: str | bytes, binary: bool = False) -> Output | int | None:
    """One agent frame: output, the exit code (int), or None (stream close, heartbeat).
    With the binary subprotocol a data frame starts with its stream byte; JSON with `{`."""
    raw = message.encode() if isinstance(message, str) else message
    if binary and raw and (stream := _BINARY_STREAMS.get(raw[0])) is not None:
        return stream, raw[1:]
    stream = _FAST.get(raw[:_FAST_LEN])
    if stream is not None and raw.endswith(b'"}}'):  # the frame our agents and Nomad send
        return stream, binascii.a2b_base64(memoryview(raw)[_FAST_LEN:-3])
    try:
        frame = json.loads(raw)
    except ValueError as err:
        raise FrameError(f"undecodable exec frame: {err}") from None
    if frame.get("exited"):
        return int((frame.get("result") or {}).get("exit_code", 0))
    for name in _STREAMS:
        data = (frame.get(name) or {}).get("data")
        if data:
            return name, base64.b64decode(data)
    return None
