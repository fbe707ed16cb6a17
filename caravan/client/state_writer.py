"""Writing one allocation's local state in a thread: the newest snapshot wins, failures retry.

    mark() ─▶ (writer task) snapshot in the event loop ─▶ write + fsync in a thread
                   ▲                                          │ OSError (disk full)
                   └──── pause (0.1 s, doubling to 2 s) ◀─────┘ logged once, retried

`mark()` never blocks and never fails: changes made while a write runs are written
by the next one. `durable()` waits until everything marked before the call is on
disk; with `fail_fast` it raises ClientStateError at the first failed write instead,
so an operation that must not happen without its record (starting a task) fails
alone while the writer keeps retrying. Once space is freed, the next retry succeeds:
nothing needs a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from caravan.client.state import ClientStateStore
from caravan.errors import CaravanError

log = logging.getLogger(__name__)

_RETRY_S = 0.1
_MAX_RETRY_S = 2.0


class ClientStateError(CaravanError):
    """The client's state for an allocation could not be written (say, the disk is full)."""

    status = 507


class StateWriter:
    def __init__(self, store: ClientStateStore, alloc_id: str,
                 snapshot: Callable[[], bytes]) -> None:
        self._store = store
        self._alloc_id = alloc_id
        self._snapshot = snapshot
        self._marked = 0
        self._written = 0
        self._failure: tuple[int, OSError] | None = None  # (version, error) while failing
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._wake = asyncio.Event()

    def mark(self) -> None:
        """The state changed: write it soon."""
        if self._closed:
            return
        self._marked += 1
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not running yet: the first mark inside the loop writes it all
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._write_until_caught_up(),
                                          name=f"state {self._alloc_id}")

    async def durable(self, fail_fast: bool = False) -> None:
        """Return once the state as it is now is on disk (see the module docstring)."""
        if self._closed:
            return
        self.mark()
        target = self._marked
        async with self._progress:
            while self._written < target:
                if fail_fast and self._failure is not None and self._failure[0] >= target:
                    raise ClientStateError(
                        f"cannot write the client state of allocation {self._alloc_id}: "
                        f"{self._failure[1]}")
                await self._progress.wait()

    async def settle(self, timeout_s: float) -> None:
        """Give pending writes `timeout_s` to finish (say, before agent shutdown); never
        raises. Writes still failing go on being retried while the loop runs."""
        try:
            async with asyncio.timeout(timeout_s):
                await self.durable()
        except TimeoutError:
            log.warning("client state of allocation %s not written yet", self._alloc_id)

    async def close(self) -> None:
        """Stop writing (the allocation is being destroyed); waits for a write under way."""
        self._closed = True
        self._wake.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _write_until_caught_up(self) -> None:
        pause = _RETRY_S
        while self._written < self._marked and not self._closed:
            version, data = self._marked, self._snapshot()
            try:
                await asyncio.to_thread(self._store.write_alloc, self._alloc_id, data)
            except OSError as err:
                if self._failure is None:
                    log.error("cannot write the client state of allocation %s, retrying: %s",
                              self._alloc_id, err)
                await self._note(failure=(version, err))
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), pause)
                except TimeoutError:
                    pass
                pause = min(pause * 2, _MAX_RETRY_S)
                continue
            if self._failure is not None:
                log.info("client state of allocation %s written again", self._alloc_id)
            self._written = version
            await self._note(failure=None)

    async def _note(self, failure: tuple[int, OSError] | None) -> None:
        async with self._progress:
            self._failure = failure
            self._progress.notify_all()
