"""`alloc port-forward` for programs: one TCP connection to an allocation's port.

    async with port_forward(client, alloc_id, 8080, node_id=alloc.node_id) as conn:
        await carry(conn, reader, writer)      # a local socket, both ways, half-close too

or by hand: `send`, `send_eof`, and `recv` (bytes, then None at the remote's EOF; after
that the session ends). A session the agent ends with a reason (nothing listens on the
port, permission denied, ...) raises PortForwardError(reason). The wire format is
`caravan.execproto.portforward`; the connection is opened as exec's (`open_channel`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from caravan.api.client import Client
from caravan.api.exec import open_channel
from caravan.errors import CaravanError
from caravan.execproto.portforward import CHUNK, EOF_FRAME, ROUTE

__all__ = ["ForwardConnection", "PortForwardError", "carry", "port_forward"]


class PortForwardError(CaravanError):
    """The agent ended the connection with a reason (it is the message)."""


@asynccontextmanager
async def port_forward(client: Client, alloc_id: str, port: int | str, *, task: str = "",
                       node_id: str | None = None, node_address: str | None = None
                       ) -> AsyncIterator[ForwardConnection]:
    """Open one forwarded connection to `port` (a number or a port label) of the
    allocation; closed when the block ends. `node_id` enables the direct dial;
    `node_address` (`caravan.api.exec.node_http_address`, looked up once by a caller
    that opens many) saves the lookup."""
    params = {"port": str(port)}
    if task:
        params["task"] = task
    conn = ForwardConnection(await open_channel(client, alloc_id, ROUTE, params, node_id,
                                                node_address=node_address))
    try:
        yield conn
    finally:
        await conn.aclose()


class ForwardConnection:
    """One forwarded TCP connection. One task sends, one receives."""

    def __init__(self, conn: ClientConnection) -> None:
        self._conn = conn

    async def send(self, data: bytes) -> None:
        if not data:
            return  # an empty frame means nothing; EOF is `send_eof`
        try:
            await self._conn.send(data)
        except ConnectionClosed:
            pass  # the receiving side reports why

    async def send_eof(self) -> None:
        """A half-close: the remote reads EOF, and may still answer."""
        try:
            await self._conn.send(EOF_FRAME)
        except ConnectionClosed:
            pass

    async def recv(self) -> bytes | None:
        """The next bytes from the remote port; None at its EOF, and then once the
        session has ended normally. PortForwardError when it ended with a reason."""
        try:
            message = await self._conn.recv()
        except ConnectionClosedOK:
            return None
        except ConnectionClosed as err:
            reason = err.rcvd.reason if err.rcvd and err.rcvd.reason else str(err)
            raise PortForwardError(reason) from None
        return message if isinstance(message, bytes) else None

    @property
    def ended(self) -> bool:
        """The session is over (after `recv` returned None for its close)."""
        return self._conn.close_code is not None

    async def aclose(self) -> None:
        await self._conn.close()


async def carry(conn: ForwardConnection, reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter) -> None:
    """Carry a local connection both ways until both sides are done; an EOF either way
    is passed on as a half-close. Raises PortForwardError when the agent gives a reason.
    Does not close `writer`."""
    async with asyncio.TaskGroup() as tg:
        up = tg.create_task(_up(conn, reader))
        await _down(conn, writer)
        up.cancel()


async def _up(conn: ForwardConnection, reader: asyncio.StreamReader) -> None:
    while data := await reader.read(CHUNK):
        await conn.send(data)
    await conn.send_eof()


async def _down(conn: ForwardConnection, writer: asyncio.StreamWriter) -> None:
    while True:
        data = await conn.recv()
        if data is None:
            if conn.ended:
                return  # the session ended normally
            if writer.can_write_eof():
                try:
                    writer.write_eof()
                except OSError:
                    pass  # the local side is gone; its reader ends too
            continue
        writer.write(data)
        await writer.drain()
