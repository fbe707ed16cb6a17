"""An exec session served by this agent's own client: the driver runs the command.

    reader  (WebSocket -> decoded inputs) ─┐
    runner  (the driver, via an ExecStream) ├─ one TaskGroup; only the writer sends
    writer  (frames -> WebSocket, then the close)

The runner's result (an exit frame, or the error as a close) goes through the writer,
which closes the WebSocket and then stops the reader. A client that goes away ends
the reader with ClientGone, which cancels the runner (killing the command).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

from caravan.errors import CaravanError
from caravan.execproto.frames import (
    ExecInput,
    OutputStream,
    decode_input,
    exit_frame,
    output_frame,
)
from caravan.http.alloc_exec.closing import ClientGone, close, close_code, send

_QUEUE = 16  # frames buffered each way before the other side must wait


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str = ""


class SessionStream:
    """The driver's end of a session (an `ExecStream`): inputs the reader decoded, and
    frames for the writer. Both queues are bounded, so each side waits for the other."""

    def __init__(self, binary: bool) -> None:
        self.binary = binary
        self.inputs: asyncio.Queue[ExecInput | None] = asyncio.Queue(_QUEUE)
        self.outputs: asyncio.Queue[str | bytes | _Close] = asyncio.Queue(_QUEUE)

    async def receive(self) -> ExecInput | None:
        return await self.inputs.get()

    async def send(self, stream: OutputStream, data: bytes) -> None:
        await self.outputs.put(output_frame(stream, data, self.binary))


Runner = Callable[[SessionStream], Awaitable[int]]


class LocalSession:
    def __init__(self, ws: WebSocket, binary: bool) -> None:
        self._ws = ws
        self._stream = SessionStream(binary)

    async def run(self, start: Runner) -> None:
        """Serve the session until it ends; raises ClientGone if the client left first."""
        async with asyncio.TaskGroup() as tg:
            reader = tg.create_task(self._read())
            tg.create_task(self._run(start))
            tg.create_task(self._write(reader))

    async def _read(self) -> None:
        while True:
            message = await self._ws.receive()
            if message["type"] == "websocket.disconnect":
                raise ClientGone()
            event = decode_input(message.get("bytes") or message.get("text") or "{}")
            if event is not None:
                await self._stream.inputs.put(event)

    async def _run(self, start: Runner) -> None:
        outputs = self._stream.outputs
        try:
            code = await start(self._stream)
        except CaravanError as err:
            await outputs.put(_Close(close_code(err), str(err)))
            return
        await outputs.put(exit_frame(code))
        await outputs.put(_Close(1000))

    async def _write(self, reader: asyncio.Task[None]) -> None:
        while not isinstance(frame := await self._stream.outputs.get(), _Close):
            try:
                await send(self._ws, frame)
            except WebSocketDisconnect:
                raise ClientGone() from None
        await close(self._ws, frame.code, frame.reason)
        reader.cancel()
