"""The task runner's hook contract: an ordered list, each hook implementing only its stages.

    prestart (validate, task dir, ...) ─▶ driver start ─▶ ... exit ─▶ stop (when dead)

A prestart hook may report itself `done`; done hooks are skipped when the task
restarts or the agent restores it. Stop hooks are idempotent. A hook failing
raises HookError, which becomes a `Task hook failed` event `<hook>: <message>`, or
the hook's own event when it gives one (say `Failed Artifact Download`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from caravan.client.allocdir import TaskDir
from caravan.client.drivers.base import Capabilities
from caravan.errors import CaravanError
from caravan.structs import Allocation, Task, TaskEvent

EventSink = Callable[[TaskEvent], None]


class HookError(CaravanError):
    def __init__(self, message: str, *, recoverable: bool = False,
                 event: TaskEvent | None = None) -> None:
        super().__init__(message)
        self.recoverable = recoverable
        self.event = event  # reported instead of `Task hook failed`


@dataclass(frozen=True)
class PrestartRequest:
    alloc: Allocation
    task: Task
    task_dir: TaskDir
    capabilities: Capabilities
    env: Mapping[str, str]  # the task's environment so far (for interpolation)


@dataclass(frozen=True)
class PrestartResponse:
    env: dict[str, str] = field(default_factory=dict)
    done: bool = False


@dataclass(frozen=True)
class StopRequest:
    alloc: Allocation
    task: Task
    task_dir: TaskDir


class TaskHook(ABC):
    name: str


class PrestartHook(TaskHook):
    @abstractmethod
    async def prestart(self, request: PrestartRequest) -> PrestartResponse: ...


class StopHook(TaskHook):
    @abstractmethod
    async def stop(self, request: StopRequest) -> None: ...
