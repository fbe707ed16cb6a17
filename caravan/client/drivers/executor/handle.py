"""What an executor-backed driver persists per task to re-attach after an agent restart.

Stored as `TaskHandle.driver_state`; a driver with more to remember (exec) subclasses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

from caravan.client.drivers.base import TaskHandle
from caravan.client.drivers.executor.launcher import ExecutorState
from caravan.client.drivers.executor.task import ExecutorTask
from caravan.errors import DriverError

HANDLE_VERSION = 1


class ExecutorHandleState(BaseModel):
    """The executor's identity (PID + start time), the task's, and where its socket lives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    executor_pid: int
    executor_start_time: int
    task_pid: int
    task_start_time: int
    started_at_ns: int
    state_dir: str

    @classmethod
    def of(cls, task: ExecutorTask, **extra: object) -> Self:
        return cls(state_dir=str(task.state_dir), **task.state.model_dump(), **extra)

    @classmethod
    def from_handle(cls, handle: TaskHandle) -> Self:
        try:
            return cls.model_validate(handle.driver_state)
        except ValidationError as err:
            raise DriverError(f"failed to decode task state from handle: {err}") from err

    def executor_state(self) -> ExecutorState:
        return ExecutorState.model_validate(self.model_dump(include=set(ExecutorState.model_fields)))

    @property
    def state_path(self) -> Path:
        return Path(self.state_dir)
