"""One audited session: the record it writes and the tap on its stream.

    async with audit.session(record) as rec:        # the record is saved (open)
        code = await rec.result(driver_run(rec.tap(stream)))   # exit code or error kept;
                                                     # bytes counted, terminal recorded
    # on leaving: end time, exit code or error; saved again and queued for the server

Session kinds that have no `ExecStream` (a copy, a forwarded port) count their bytes
with `add_in`/`add_out` and may record output with `output`. An error leaving the
block is recorded as the session's error and raised on; a cancelled session (the
caller went away) is recorded as such.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from caravan.client.audit.recorder import Recorder
from caravan.client.drivers.base import ExecStream
from caravan.execproto.frames import ExecInput, OutputStream, StdinData, TerminalSize
from caravan.structs.exec_audit import ExecSession

CANCELLED = "the session was closed before the command exited"


class AuditedSession:
    def __init__(self, record: ExecSession, recorder: Recorder | None,
                 now_ns: Callable[[], int]) -> None:
        self.record = record
        self._recorder = recorder
        self._now_ns = now_ns

    @property
    def id(self) -> str:
        return self.record.id

    def tap(self, stream: ExecStream) -> ExecStream:
        """`stream` as the driver should see it: counted and recorded on the way."""
        return _Tap(stream, self)

    def exit(self, code: int) -> None:
        self.record.exit_code = code

    async def result(self, command: Awaitable[int]) -> int:
        """Await the session's command: its exit code, or its error, goes on the record
        (and the error on to the caller, who may turn it into a close frame)."""
        try:
            code = await command
        except asyncio.CancelledError:
            self.record.error = self.record.error or CANCELLED
            raise
        except Exception as err:
            self.record.error = str(err) or type(err).__name__
            raise
        self.exit(code)
        return code

    def add_in(self, n: int) -> None:
        self.record.bytes_in += n

    def add_out(self, n: int) -> None:
        self.record.bytes_out += n

    def output(self, stream: str, data: bytes) -> None:
        self.add_out(len(data))
        if self._recorder is not None:
            self._recorder.output(time.monotonic(), stream, data)

    def input(self, data: bytes) -> None:
        self.add_in(len(data))
        if self._recorder is not None:
            self._recorder.input(time.monotonic(), data)

    def resize(self, size: TerminalSize) -> None:
        if self._recorder is not None:
            self._recorder.resize(time.monotonic(), size.width, size.height)

    def finish(self, error: BaseException | None) -> None:
        """Set the end; called once, by `ExecAudit.session`."""
        if self.record.error or self.record.exit_code is not None:
            pass  # `result` saw how the command ended; how the caller left adds nothing
        elif isinstance(error, asyncio.CancelledError):
            self.record.error = CANCELLED
        elif error is not None:
            self.record.error = str(error) or type(error).__name__
        self.record.end_time = self._now_ns()
        if self._recorder is not None:
            self._recorder.close()
            self.record.recording_truncated = self._recorder.truncated


class _Tap:
    """An ExecStream that passes everything through to the session's own stream."""

    def __init__(self, inner: ExecStream, session: AuditedSession) -> None:
        self._inner = inner
        self._session = session

    async def receive(self) -> ExecInput | None:
        event = await self._inner.receive()
        if isinstance(event, StdinData):
            self._session.input(event.data)
        elif isinstance(event, TerminalSize):
            self._session.resize(event)
        return event

    async def send(self, stream: OutputStream, data: bytes) -> None:
        self._session.output(stream, data)
        await self._inner.send(stream, data)
