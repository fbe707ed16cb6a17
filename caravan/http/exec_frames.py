"""Nomad's exec WebSocket frames (JSON, base64 payloads) and caravan's binary variant.

    client -> agent   {"stdin":{"data":"<b64>"}} {"stdin":{"close":true}}
                      {"tty_size":{"height":H,"width":W}}  {} (heartbeat)
    agent -> client   {"stdout"|"stderr":{"data":"<b64>"}} {"stdout":{"close":true}}
                      {"exited":true,"result":{"exit_code":N}}

With the `caravan.exec.binary` subprotocol, data travels as binary messages: one
stream byte (0 stdin, 1 stdout, 2 stderr) then the raw bytes; control frames stay JSON.
Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import json

from caravan.client.drivers.base import (
    ExecInput,
    OutputStream,
    StdinClose,
    StdinData,
    TerminalSize,
)
from caravan.errors import CaravanError

SUBPROTOCOL = "caravan.exec.binary"
_STREAM_IDS = {"stdout": b"\x01", "stderr": b"\x02"}
_STDIN_ID = 0


def decode_input(message: str | bytes) -> ExecInput | None:
    """One client frame; None for a heartbeat (or nothing we act on). Bytes are a
    binary-subprotocol frame: a stream byte (0, stdin) and the data."""
    if isinstance(message, bytes):
        if message[:1] != bytes([_STDIN_ID]):
            raise CaravanError("failed to decode an exec frame: not a stdin frame")
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
        raise CaravanError(f"failed to decode an exec frame: {err}") from None
    return None


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
