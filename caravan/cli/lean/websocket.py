"""A client WebSocket (RFC 6455) on a connected socket, for one exec session.

`open_websocket` does the handshake (an HTTP refusal is `APIError` with the agent's
body); then `WebSocket.outgoing(...)` encodes a message (masked, as a client must) for
the caller to write, and `WebSocket.feed(data)` turns received bytes into messages,
answering pings and reassembling fragments. No I/O after the handshake: the session
loop owns the socket (non-blocking, one thread).
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
from dataclasses import dataclass

from caravan.api.errors import APIConnectionError, APIError
from caravan.cli.lean.agent import Connection

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE = 64 * 1024 * 1024  # an exec frame is far smaller; guards memory only


@dataclass(frozen=True)
class Closed:
    """The agent's close frame: code and reason (1005, "" when it sent none)."""

    code: int
    reason: str


def open_websocket(conn: Connection, target: str, headers: dict[str, str],
                   subprotocols: list[str]) -> WebSocket:
    key = base64.b64encode(os.urandom(16)).decode()
    extra = "".join(f"{k}: {v}\r\n" for k, v in {
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Version": "13",
        **({"Sec-WebSocket-Protocol": ", ".join(subprotocols)} if subprotocols else {}),
    }.items())
    try:
        status, head = conn.request_head("GET", target, headers, extra)
        if status != 101:
            raise APIError(status, conn.read_body(head).decode(errors="replace"))
    except OSError as err:
        raise APIConnectionError(conn.address, str(err) or type(err).__name__) from None
    accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
    if head.get("sec-websocket-accept") != accept:
        raise APIConnectionError(conn.address, "invalid WebSocket handshake answer")
    return WebSocket(conn.sock, head.get("sec-websocket-protocol", ""), conn.buffer)


class WebSocket:
    def __init__(self, sock: socket.socket, subprotocol: str, pending: bytes = b"") -> None:
        self.sock = sock
        self.subprotocol = subprotocol
        self._buffer = bytearray(pending)
        self._fragments: list[bytes] = []
        self._fragment_opcode = 0
        self.replies: list[bytes] = []  # pongs and the close echo, for the loop to send

    def outgoing(self, payload: str | bytes, opcode: int | None = None) -> bytes:
        data = payload.encode() if isinstance(payload, str) else payload
        opcode = opcode or (TEXT if isinstance(payload, str) else BINARY)
        size = len(data)
        if size < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
        elif size < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
        mask = os.urandom(4)
        return head + mask + _masked(data, mask)

    def feed(self, data: bytes) -> list[bytes | Closed]:
        """Complete messages (payloads; a Closed ends the list) from newly read bytes."""
        self._buffer += data
        out: list[bytes | Closed] = []
        while (frame := self._frame()) is not None:
            fin, opcode, payload = frame
            if opcode == PING:
                self.replies.append(self.outgoing(payload, PONG))
            elif opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.replies.append(self.outgoing(payload[:2], CLOSE))
                out.append(Closed(code, payload[2:].decode(errors="replace")))
                return out
            elif opcode in (TEXT, BINARY, 0):
                self._fragments.append(payload)
                if fin:
                    out.append(b"".join(self._fragments))
                    self._fragments = []
        return out

    def _frame(self) -> tuple[bool, int, bytes] | None:
        buf = self._buffer
        if len(buf) < 2:
            return None
        fin, opcode, masked, size = buf[0] & 0x80, buf[0] & 0x0F, buf[1] & 0x80, buf[1] & 0x7F
        offset = 2
        if size == 126:
            if len(buf) < 4:
                return None
            size, offset = struct.unpack_from("!H", buf, 2)[0], 4
        elif size == 127:
            if len(buf) < 10:
                return None
            size, offset = struct.unpack_from("!Q", buf, 2)[0], 10
        if size > MAX_MESSAGE:
            raise APIConnectionError("agent", f"WebSocket frame of {size} bytes is too large")
        mask = bytes(buf[offset:offset + 4]) if masked else b""
        end = offset + len(mask) + size
        if len(buf) < end:
            return None
        payload = bytes(buf[offset + len(mask):end])
        del buf[:end]
        return bool(fin), opcode, _masked(payload, mask) if mask else payload


def _masked(data: bytes, mask: bytes) -> bytes:
    """XOR with the repeated 4-byte mask, as one big-integer operation (C speed)."""
    if not data:
        return data
    size = len(data)
    key = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(
        size, "little")
