"""The in-memory table of tasks an executor-backed driver runs (raw_exec, exec).

What both drivers did alike lives here once: launching the executor, looking a task
up (`TaskNotFound`), refusing a second start and operations on a task that has
exited, re-attaching after an agent restart (to a handle, or to what a start the
agent died in left), and destroy (refuse a running task
unless forced, kill it, let the driver release what it holds, remove the executor's
state dir). `T` is the driver's own record of a task: the `ExecutorTask` itself for
raw_exec, the executor plus container and cgroup for exec.

Calls for different tasks may interleave; the table is only touched between awaits.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from caravan.client.drivers.base import TaskConfig, TaskHandle, TaskNotFound
from caravan.client.drivers.executor.handle import HANDLE_VERSION, ExecutorHandleState
from caravan.client.drivers.executor.launcher import ExecutorSpec
from caravan.client.drivers.executor.task import ExecutorTask
from caravan.errors import DriverError

T = TypeVar("T")
S = TypeVar("S", bound=ExecutorHandleState)


async def launch_executor(python: str, config: TaskConfig, spec: ExecutorSpec) -> ExecutorTask:
    """Start the task's executor (which starts the task); DriverError says it failed."""
    try:
        return await ExecutorTask.launch(python, config.id, config.task_name,
                                         config.state_dir, spec)
    except DriverError as err:
        raise DriverError(f"failed to launch command with executor: {err}") from err


class ExecutorTasks(Generic[T]):
    def __init__(self, executor_of: Callable[[T], ExecutorTask]) -> None:
        self._executor_of = executor_of
        self._tasks: dict[str, T] = {}

    def check_new(self, task_id: str) -> None:
        if task_id in self._tasks:
            raise DriverError(f'task with ID "{task_id}" already started')

    def add(self, task_id: str, task: T) -> None:
        self._tasks[task_id] = task

    def get(self, task_id: str) -> T:
        task = self._tasks.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    def running(self, task_id: str) -> T:
        """The task, if its process has not exited (signal and exec need one)."""
        task = self.get(task_id)
        if self._executor_of(task).status().exit_result is not None:
            raise DriverError("task is not running")
        return task

    async def recover(self, handle: TaskHandle, state_model: type[S],
                      wrap: Callable[[ExecutorTask, S], T]) -> None:
        """Re-attach to the executor recorded in `handle` (a no-op for a known task)."""
        if handle.config.id in self._tasks:
            return
        state = state_model.from_handle(handle)
        executor = await ExecutorTask.recover(handle.config.id, handle.config.task_name,
                                              state.state_path)
        if executor is None:
            raise DriverError("failed to reattach to executor: no executor ever ran the task")
        self._tasks[handle.config.id] = wrap(executor, state)

    async def recover_launch(self, config: TaskConfig,
                             wrap: Callable[[ExecutorTask], T]) -> T | None:
        """What a start the agent died in left behind (`Driver.recover_launch`): the task,
        re-attached and known again, or None when its executor never started."""
        executor = await ExecutorTask.recover(config.id, config.task_name, config.state_dir)
        if executor is None:
            return None
        task = wrap(executor)
        self._tasks[config.id] = task
        return task

    async def destroy(self, task_id: str, force: bool, kill: Callable[[T], Awaitable[None]],
                      release: Callable[[T], Awaitable[None]] | None = None) -> None:
        """Forget the task and remove its state; a running task needs `force` and is then
        `kill`ed first. An unknown task is already destroyed."""
        task = self._tasks.get(task_id)
        if task is None:
            return
        executor = self._executor_of(task)
        if executor.status().exit_result is None:
            if not force:
                raise DriverError("cannot destroy running task")
            await kill(task)
        del self._tasks[task_id]
        if release is not None:
            await release(task)
        await asyncio.to_thread(shutil.rmtree, executor.state_dir, True)

    def clear(self) -> None:
        self._tasks.clear()


def task_handle(driver: str, config: TaskConfig, state: ExecutorHandleState,
                messages: list[str] | None = None) -> TaskHandle:
    """The handle the client persists for a task started through an executor; `messages`
    are what the driver tells the user about this start (never persisted)."""
    return TaskHandle(version=HANDLE_VERSION, driver=driver, config=config,
                      driver_state=state.model_dump(), started_at_ns=state.started_at_ns,
                      messages=messages or [])
