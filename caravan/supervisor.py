"""Owners for long-lived asyncio tasks: a task that dies is logged and reported, never lost.

    loops = Supervisor("client")
    loops.spawn(heartbeater.run(), "heartbeat")        # must run until stopped
    loops.spawn(destroy(alloc_id), "destroy ...", critical=False)   # may finish
    failed = await loops.wait_failed()                  # the first critical failure
    await loops.aclose()                                # cancel, wait, always reap

The shape of trio's nurseries and dask/distributed's `AsyncTaskGroup`, for objects
that start tasks in one method and stop them in another (which `asyncio.TaskGroup`'s
`async with` cannot span). A critical task is one the owner cannot work without:
when it ends other than by cancellation (an exception, or returning early) the
supervisor logs it with its traceback and sets `failed`, so whoever runs the owner
(the agent) stops it cleanly and exits non-zero. A non-critical task's exception is
logged too; it ends only that task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskFailure:
    """What ended a critical task: its owner, its name and the exception (None: it returned)."""

    owner: str
    name: str
    error: BaseException | None

    def __str__(self) -> str:
        why = f"{type(self.error).__name__}: {self.error}" if self.error else "it returned"
        return f"{self.owner} {self.name} loop stopped unexpectedly ({why})"


class Supervisor:
    """Tracks its tasks; not thread-safe (the event loop's thread only)."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._tasks: set[asyncio.Task[None]] = set()
        self._critical: set[asyncio.Task[None]] = set()
        self._failure: TaskFailure | None = None
        self._failed = asyncio.Event()
        self._closing = False

    def spawn(self, coro: Coroutine[Any, Any, None], name: str, *,
              critical: bool = True) -> asyncio.Task[None]:
        """Start `coro` as a task this supervisor owns. Refused once `aclose` began."""
        if self._closing:
            coro.close()
            raise RuntimeError(f"{self.owner} is stopping; cannot start {name}")
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        if critical:
            self._critical.add(task)
        task.add_done_callback(self._done)
        return task

    @property
    def failure(self) -> TaskFailure | None:
        return self._failure

    async def wait_failed(self) -> TaskFailure:
        """Wait until a critical task ends on its own; returns the first such failure."""
        await self._failed.wait()
        assert self._failure is not None
        return self._failure

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        critical = task in self._critical
        self._critical.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("%s: task %s failed", self.owner, task.get_name(),
                      exc_info=(type(error), error, error.__traceback__))
        if critical and not self._closing and self._failure is None:
            self._failure = TaskFailure(self.owner, task.get_name(), error)
            if error is None:
                log.error("%s: task %s returned; it should run until stopped",
                          self.owner, task.get_name())
            self._failed.set()

    def expect_end(self) -> None:
        """From now on tasks ending are part of stopping, not failures (before a graceful
        stop that lets tasks return on their own, then `aclose`)."""
        self._closing = True

    async def aclose(self) -> None:
        """Cancel every task and wait for all of them, even if this call is cancelled.

        Idempotent. Exceptions the tasks raise while ending are logged, not raised:
        the owner goes on stopping its other parts.
        """
        self._closing = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if not tasks:
            return
        ending = asyncio.gather(*tasks, return_exceptions=True)
        try:
            await asyncio.shield(ending)
        except asyncio.CancelledError:
            await ending  # a cancelled stop still reaps what it started
            raise
