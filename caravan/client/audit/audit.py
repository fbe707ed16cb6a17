"""The client's exec audit: every session kind opens its session through `session()`.

    session(record) ─▶ saved open ─▶ the caller's block runs ─▶ saved ended ─▶ outbox
    run():  outbox ─▶ the server (`POST /v1/node/<id>/exec-sessions`), then removed;
            retried every few seconds while no server takes them

At start, records a previous run left open (the agent stopped mid-session) are closed
with an error saying so, and the sessions of allocations this client no longer has
are removed with their recordings.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from caravan.client.audit.files import AuditFiles
from caravan.client.audit.recorder import Recorder
from caravan.client.audit.session import AuditedSession
from caravan.client.rpc import ServerRPC
from caravan.clock import Clock
from caravan.config.exec_recording import ExecRecordingConfig
from caravan.errors import CaravanError
from caravan.ids import IdGenerator
from caravan.structs.exec_audit import ExecSession

log = logging.getLogger(__name__)

PUSH_RETRY_S = 3.0
PUSH_BATCH = 500  # the server takes up to 1,000 records per push
AGENT_STOPPED = "the agent stopped before the session ended"


class ExecAudit:
    def __init__(self, files: AuditFiles, recording: ExecRecordingConfig, clock: Clock,
                 new_id: IdGenerator, rpc: ServerRPC, node_id: str) -> None:
        self.files = files
        self._recording = recording
        self._clock = clock
        self._new_id = new_id
        self._rpc = rpc
        self._node_id = node_id
        self.node_name = ""
        self._wake = asyncio.Event()

    def start(self, known_allocs: set[str]) -> None:
        """Blocking; called once before any session (see the module docstring)."""
        self.files.ensure()
        for alloc_id in set(self.files.alloc_ids()) - known_allocs:
            self.files.remove_alloc(alloc_id)
        for record in self.files.records():
            if not record.ended():
                record.error, record.end_time = AGENT_STOPPED, self._clock.now_ns()
                self.files.save(record, 1)

    @asynccontextmanager
    async def session(self, record: ExecSession,
                      terminal: bool = True) -> AsyncIterator[AuditedSession]:
        """Audit the block as one session; `record` holds who, where and what. Concurrent
        sessions are independent; the record is saved even when the block fails. A kind
        without a terminal (a forwarded port, a copy) passes `terminal=False`: it is never
        recorded, only counted."""
        recorded = terminal and self._recording.enabled
        record = record.model_copy(update={
            "id": self._new_id(), "node_id": self._node_id, "node_name": self.node_name,
            "start_time": self._clock.now_ns(), "recorded": recorded,
            "recorded_input": recorded and self._recording.input})
        await asyncio.to_thread(self.files.save, record, 0)
        self._wake.set()  # an open session is on the server's list while it runs
        recorder = self._recorder(record) if record.recorded else None
        audited = AuditedSession(record, recorder, self._clock.now_ns)
        try:
            yield audited
        except BaseException as err:
            audited.finish(err)
            raise
        else:
            audited.finish(None)
        finally:
            await asyncio.shield(self._saved(audited.record))

    def _recorder(self, record: ExecSession) -> Recorder:
        title = f"{record.kind} {record.alloc_id[:8]}/{record.task}: {' '.join(record.command)}"
        return Recorder(self.files.recording_path(record), record.start_time,
                        time.monotonic(), self._recording.input, title,
                        self._recording.max_size)

    async def _saved(self, record: ExecSession) -> None:
        await asyncio.to_thread(self.files.save, record, 1)
        self._wake.set()

    def remove_alloc(self, alloc_id: str) -> None:
        """The allocation is gone (collected): its records and recordings go with it."""
        self.files.remove_alloc(alloc_id)

    async def run(self) -> None:
        """Push the outbox to a server until cancelled; a failed push is retried."""
        while True:
            self._wake.clear()
            try:
                await self._push()
            except CaravanError as err:
                log.warning("sending exec audit records to the server failed: %s", err)
            try:
                async with asyncio.timeout(PUSH_RETRY_S):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _push(self) -> None:
        pending = (await asyncio.to_thread(self.files.pending))[:PUSH_BATCH]
        if not pending:
            return
        await self._rpc.push_exec_sessions(self._node_id, [r for _, r in pending])
        for path, _ in pending:
            path.unlink(missing_ok=True)
        if len(pending) == PUSH_BATCH:
            self._wake.set()  # more are waiting

    def local(self, session_id: str) -> tuple[ExecSession, Callable[[], bytes]] | None:
        """A session this client served, and a reader of its recording."""
        found = self.files.find(session_id)
        if found is None:
            return None
        record, path = found
        return record, path.read_bytes
