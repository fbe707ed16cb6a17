"""The task runner's hook contract: an ordered list, each hook implementing only its stages.

Nomad's task runner stages, each run over the hooks in list order:

    prestart (validate, task dir, artifacts) ─▶ driver start ─▶ poststart
        ─▶ ... the task exits ─▶ exited ─▶ (restart: prestart again) ... ─▶ stop (when dead)
    update: whenever the server sends a newer version of the allocation
    restored: a task that kept running through an agent restart was re-attached
              (its prestart does not run again; a hook that watches picks up here)

The task runner builds its hooks once (`TaskSetup.hooks`), so a hook object lives from
the first prestart to the last stop and may keep state between stages (a template
hook keeps its renderer, say). A hook subclasses the stage classes it needs.

A prestart hook may report itself `done`; done hooks are skipped when the task
restarts or the agent restores it. A prestart hook failing raises HookError, which
becomes a `Task hook failed` event `<hook>: <message>`, or the hook's own event when
it gives one (say `Failed Artifact Download`). As in Nomad, a HookError from the
poststart, update and exited stages is logged and the task goes on. Stop hooks are
idempotent.
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
class TaskRequest:
    """What the poststart, update, exited and stop stages are told."""

    alloc: Allocation
    task: Task
    task_dir: TaskDir


class TaskHook(ABC):
    name: str


class PrestartHook(TaskHook):
    @abstractmethod
    async def prestart(self, request: PrestartRequest) -> PrestartResponse: ...


class PoststartHook(TaskHook):
    @abstractmethod
    async def poststart(self, request: TaskRequest) -> None:
        """The driver started the task (not run for a task re-attached after a restart)."""


class UpdateHook(TaskHook):
    @abstractmethod
    async def update(self, request: TaskRequest) -> None:
        """`request.alloc` is the newer allocation; the task may be in any state."""


class ExitedHook(TaskHook):
    @abstractmethod
    async def exited(self, request: TaskRequest) -> None:
        """The task's process ended (it may be restarted after this)."""


class RestoreHook(TaskHook):
    @abstractmethod
    async def restored(self, request: TaskRequest) -> None:
        """The task was re-attached after an agent restart and is running."""


class StopHook(TaskHook):
    @abstractmethod
    async def stop(self, request: TaskRequest) -> None: ...
