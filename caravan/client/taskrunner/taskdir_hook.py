"""Prestart: build the task directory (event `Task Setup`, "Building Task Directory") once."""

from __future__ import annotations

import asyncio

from caravan.client.taskrunner import events
from caravan.client.taskrunner.hooks import (
    EventSink,
    HookError,
    PrestartHook,
    PrestartRequest,
    PrestartResponse,
)
from caravan.clock import Clock


class TaskDirHook(PrestartHook):
    name = "task_dir"

    def __init__(self, emit: EventSink, clock: Clock) -> None:
        self.emit = emit
        self.clock = clock

    async def prestart(self, request: PrestartRequest) -> PrestartResponse:
        self.emit(events.task_setup(self.clock.now_ns(), "Building Task Directory"))
        try:
            await asyncio.to_thread(request.task_dir.build)
        except OSError as err:
            raise HookError(f"Failed to build task directory for {request.task.name}: {err}",
                            recoverable=True) from err
        return PrestartResponse(done=True)
