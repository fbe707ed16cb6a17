"""`alloc debug` on the client: which task may be copied, and the copies running, by allocation.

A copy runs in the session's own task (`Driver.debug_streaming`, cancelled when the
client goes away). Destroying an allocation (its task dirs are about to go) first ends
its copies: each session then ends with a reason, not with a shell in a removed dir.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from caravan.client.allocrunner.runner import AllocRunner
from caravan.client.drivers.base import ExecStream, TaskConfig
from caravan.errors import InvalidInput, NotFound


def debug_config(runner: AllocRunner, task: str) -> TaskConfig:
    """What a copy of `task` is made from: the config of its last start. Refused, in
    words that say what to do, for a running or never started task, or a collected dir."""
    tr = runner.tasks.get(task)
    if tr is None:
        raise InvalidInput(f'unknown task name "{task}"')
    if tr.local.launching is not None:
        raise InvalidInput(f'task "{task}" is starting: `alloc debug` copies a task that has '
                           "exited; try again once it has")
    if tr.handle is not None or tr.task_state.state == "running":
        raise InvalidInput(f'task "{task}" is running: use `alloc exec` to run commands in '
                           "it; `alloc debug` copies a task that has exited")
    config = tr.last_config
    if config is None:
        raise NotFound(f'task "{task}" never started: there is nothing to debug')
    if not config.task_dir.is_dir():
        raise NotFound(f"the alloc dir of allocation {runner.alloc.id} has been garbage "
                       "collected: there is nothing left to debug")
    return config


class DebugCopies:
    """Copies by allocation. Only touched from the event loop."""

    def __init__(self) -> None:
        self._by_alloc: dict[str, set[asyncio.Task[int]]] = {}

    async def run(self, runner: AllocRunner, task: str, session_id: str,
                  command: Sequence[str], tty: bool, stream: ExecStream) -> int:
        """Run a copy of `task` until it exits (its exit code), its allocation is
        destroyed (NotFound) or this is cancelled; the copy is gone in every case."""
        config = await asyncio.to_thread(debug_config, runner, task)
        driver = runner.tasks[task].setup.require_driver()
        copy = asyncio.ensure_future(driver.debug_streaming(config, session_id, list(command),
                                                            tty, stream))
        alloc_id = runner.alloc.id
        running = self._by_alloc.setdefault(alloc_id, set())
        running.add(copy)
        try:
            return await copy
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if copy.cancelled() and me is not None and not me.cancelling():
                raise NotFound(f"allocation {alloc_id} was destroyed: its debug copy was "
                               "removed") from None
            raise
        finally:
            running.discard(copy)
            if not running:
                self._by_alloc.pop(alloc_id, None)

    async def end(self, alloc_id: str) -> None:
        """End every copy of the allocation and wait until each is removed."""
        copies = list(self._by_alloc.get(alloc_id, ()))
        for copy in copies:
            copy.cancel()
        await asyncio.gather(*copies, return_exceptions=True)
