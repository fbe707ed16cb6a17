"""One forwarded TCP connection served by this agent: WebSocket <-> the allocation's port.

    inbound   (WebSocket -> socket; {"eof":true} becomes shutdown(SHUT_WR))  ─┐ one
    outbound  (socket -> WebSocket, the only sender; the remote's EOF is sent ├ TaskGroup
              as {"eof":true}), then waits for the client's eof             ─┘
    both sides done: a normal close; a client gone: ClientGone; a broken socket: an error

The inbound side keeps reading after the client's eof, so a client that goes away
while the remote still talks is noticed at once (and the socket closed).
"""

from __future__ import annotations

import asyncio

from starlette.websockets import WebSocket, WebSocketDisconnect

from caravan.errors import CaravanError
from caravan.execproto.portforward import CHUNK, EOF_FRAME, is_eof
from caravan.http.alloc_exec.closing import ClientGone

_DIAL_S = 5.0


class PortUnreachable(CaravanError):
    """Dialing the allocation's port failed, or the connection broke (1011)."""

    status = 502


async def dial(host: str, port: int, alloc_id: str) -> Tunnel:
    """Connect to the allocation's port; PortUnreachable names why (refused: nothing listens)."""
    try:
        async with asyncio.timeout(_DIAL_S):
            reader, writer = await asyncio.open_connection(host, port)
    except ConnectionRefusedError:
        raise PortUnreachable(f"connection refused: nothing listens on port {port} of "
                              f"allocation {alloc_id[:8]}") from None
    except (OSError, TimeoutError) as err:
        raise PortUnreachable(f"cannot connect to port {port} of allocation "
                              f"{alloc_id[:8]}: {err or 'timed out'}") from None
    return Tunnel(reader, writer)


class Tunnel:
    """An open connection to the remote port, until `pump` ends (which closes it).
    `bytes_in` counts what the client sent to the port, `bytes_out` what came back."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._client_eof = asyncio.Event()
        self.bytes_in = 0
        self.bytes_out = 0

    async def pump(self, ws: WebSocket) -> None:
        """Carry the connection both ways until both sides have sent their EOF."""
        try:
            async with asyncio.TaskGroup() as tg:
                inbound = tg.create_task(self._inbound(ws))
                await self._outbound(ws)
                await self._client_eof.wait()
                inbound.cancel()
        finally:
            self._writer.close()

    async def _inbound(self, ws: WebSocket) -> None:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                raise ClientGone()
            data, text = message.get("bytes"), message.get("text")
            if self._client_eof.is_set():
                if data or text:
                    raise PortUnreachable("data after eof")
                continue
            if text is not None and is_eof(text):
                await self._write_eof()
            elif data:
                await self._write(data)

    async def _write(self, data: bytes) -> None:
        try:
            self._writer.write(data)
            await self._writer.drain()
        except OSError as err:
            raise PortUnreachable(f"connection to the allocation's port broke: {err}") from None
        self.bytes_in += len(data)

    async def _write_eof(self) -> None:
        self._client_eof.set()
        try:
            self._writer.write_eof()
        except OSError:
            pass  # the remote closed already: its side reports what happened

    async def _outbound(self, ws: WebSocket) -> None:
        while True:
            try:
                data = await self._reader.read(CHUNK)
            except OSError as err:
                raise PortUnreachable(
                    f"connection to the allocation's port broke: {err}") from None
            try:
                if not data:
                    await ws.send_text(EOF_FRAME)
                    return
                await ws.send_bytes(data)
            except (WebSocketDisconnect, OSError):
                raise ClientGone() from None
            self.bytes_out += len(data)
