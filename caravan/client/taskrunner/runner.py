"""The async task runner: performs what the lifecycle machine decides for one task.

`run()` is the task's life: prestart hooks, driver start, poststart hooks, wait,
exited hooks, restart per policy, until the task is dead; then stop hooks. Beside it,
update hooks run for each newer allocation (`update()`). The hooks are built once,
here, so each keeps its state from prestart to stop (see `hooks.py`). Requests from
outside (`kill`, `restart`, `signal`) feed the same machine and may run concurrently
with `run()`. Cancelling `run()` (agent shutdown) leaves the task running, and
whatever moment an agent dies, the next one neither loses nor duplicates it:

    launch intent on disk ─▶ driver start ─▶ handle recorded ─▶ ... exit ─▶ exit,
    (or the start fails      (a restart:      (a restart:               restart count,
     alone: nothing ran)      recover_launch)  recover)                 delay on disk ─▶
                                                                        driver destroy
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from caravan.client.drivers.base import (
    DriverConfigError,
    ExitResult,
    RecoverableDriverError,
    TaskConfig,
    TaskHandle,
)
from caravan.client.state import LocalTaskState
from caravan.client.state_writer import ClientStateError
from caravan.client.taskrunner import events
from caravan.client.taskrunner.hooks import HookError, TaskRequest
from caravan.client.taskrunner.lifecycle import (
    Action,
    Emit,
    Exited,
    KillRequested,
    Reattached,
    ReattachFailed,
    RestartRequested,
    SetState,
    StartAfter,
    StartFailed,
    Started,
    Starting,
    StopTask,
    TaskLifecycle,
    TaskNotRunning,
    record,
)
from caravan.client.taskrunner.setup import TaskSetup
from caravan.client.taskrunner.stages import HookStages
from caravan.errors import DriverError
from caravan.structs import Allocation, TaskEvent, TaskState

log = logging.getLogger(__name__)


async def _memory_only(fail_fast: bool) -> None:
    """For a runner whose state is not persisted."""


class TaskRunner:
    def __init__(self, setup: TaskSetup, on_change: Callable[[], None],
                 restored: LocalTaskState | None = None,
                 durable: Callable[[bool], Awaitable[None]] = _memory_only,
                 start_gate: asyncio.Event | None = None) -> None:
        """`on_change` marks the state for writing; `durable(fail_fast)` waits until it is
        written (raising ClientStateError on a failed write when `fail_fast`); every start
        waits until `start_gate` is set (the group's lifecycle order)."""
        self.setup = setup
        self.name = setup.task.name
        self._on_change = on_change
        self._durable = durable
        self.stages = HookStages(self.name, setup.hooks(self.emit, self))  # built once
        self._updated = asyncio.Event()
        self.local = restored or LocalTaskState()
        now = setup.clock.now_ns()
        if restored is None:
            record(self.local.task_state, Emit(events.received(now)))
        dead = self.local.task_state.state == "dead"
        job = setup.alloc.job
        self.lifecycle = TaskLifecycle(
            job.type if job else "service", setup.task.restart_policy, now,
            "dead" if dead else "pending",
            restarts=(self.local.restart_count, self.local.restart_interval_start_ns),
            hook=setup.task.lifecycle)
        if (self.local.handle or self.local.launching) is not None and not dead:
            # A task from before an agent restart: "starting" until re-attached, so that a
            # kill arriving first is carried out once the driver has it again.
            self.lifecycle.handle(Starting(now))
        self._gate = start_gate
        self._wake = asyncio.Event()
        # Set once what an earlier agent left of this task has been re-attached (or not).
        self.restored = asyncio.Event()
        self._dead = asyncio.Event()
        if dead:
            self._dead.set()

    # --- queries ------------------------------------------------------------

    @property
    def task_state(self) -> TaskState:
        return self.local.task_state

    @property
    def handle(self) -> TaskHandle | None:
        return self.local.handle

    @property
    def last_config(self) -> TaskConfig | None:
        """The config of the task's last start (None if it never got that far)."""
        return self.local.last_config

    @property
    def killing(self) -> bool:
        """A kill was asked for (a prestart hook that waits gives up)."""
        return self.lifecycle.killing

    @property
    def is_dead(self) -> bool:
        return self.lifecycle.state == "dead"

    async def wait_dead(self) -> None:
        await self._dead.wait()

    # --- the task's life ----------------------------------------------------

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            updates = group.create_task(self._run_update_hooks(), name=f"update {self.name}")
            try:
                await self._live()
            finally:
                updates.cancel()

    async def _live(self) -> None:
        if not self.is_dead and self.local.handle is not None:
            await self._reattach()
        elif not self.is_dead and self.local.launching is not None:
            await self._recover_launch(self.local.launching)
        self.restored.set()
        while not self.is_dead:
            if self.local.handle is None:
                await self._wait_start_delay()
                await self._wait_start_gate()
                if self.is_dead:
                    break
                await self._start()
            if self.local.handle is not None:
                await self._wait_exit()
        await self._run_stop_hooks()

    async def _recover_launch(self, config: TaskConfig) -> None:
        """The agent died while starting the task: adopt what that start left, if anything."""
        try:
            handle = await self.setup.require_driver().recover_launch(config)
        except DriverError as err:
            log.warning("task %s: could not re-attach, starting it again: %s", self.name, err)
            self.local.launching = None
            self.emit(events.failed_restoring(self.setup.clock.now_ns(), str(err)))
            self._apply(self.lifecycle.handle(ReattachFailed(self.setup.clock.now_ns())))
            return
        self.local.launching = None
        if handle is None:  # it never started: the loop starts it
            self._on_change()
            self._apply(self.lifecycle.handle(ReattachFailed(self.setup.clock.now_ns())))
            return
        self.local.handle = handle
        # It did start, unrecorded: its `Started` goes into the history at its own time.
        started = handle.started_at_ns or self.setup.clock.now_ns()
        if self._apply(self.lifecycle.handle(Started(started))):
            await self._stop_driver()
        else:
            await self.stages.restored(self._request())

    async def _reattach(self) -> None:
        handle = self.local.handle
        assert handle is not None
        try:
            await self.setup.require_driver().recover(handle)
        except DriverError as err:
            log.warning("task %s: could not re-attach, starting it again: %s", self.name, err)
            self._set_handle(None)
            self.emit(events.failed_restoring(self.setup.clock.now_ns(), str(err)))
            self._apply(self.lifecycle.handle(ReattachFailed(self.setup.clock.now_ns())))
            return
        if self._apply(self.lifecycle.handle(Reattached(self.setup.clock.now_ns()))):
            await self._stop_driver()
        else:
            await self.stages.restored(self._request())

    async def _start(self) -> None:
        self.local.start_after_ns = 0
        self._apply(self.lifecycle.handle(Starting(self.setup.clock.now_ns())))
        try:
            env = await self._prestart()
            if self.lifecycle.killing:
                actions = self.lifecycle.handle(StartFailed(self.setup.clock.now_ns(), None))
            else:
                handle = await self._launch(self.setup.task_config(env))
                for message in handle.messages:
                    self.emit(events.driver_message(self.setup.clock.now_ns(), message))
                actions = self.lifecycle.handle(Started(self.setup.clock.now_ns()))
        except (HookError, DriverError, ClientStateError, OSError) as err:
            actions = self.lifecycle.handle(self._start_failure(err))
        if self._apply(actions):
            await self._stop_driver()
        elif self.local.handle is not None:
            await self.stages.poststart(self._request())

    async def _launch(self, config: TaskConfig) -> TaskHandle:
        """Start the task, its intent on disk first: if that cannot be written, nothing starts."""
        self.local.launching = config
        self.local.last_config = config
        try:
            await self._durable(True)
            handle = await self.setup.require_driver().start(config)
        except Exception:
            # Nothing was started. (Cancelled at shutdown, the intent stays: the next agent
            # finds out what the interrupted start did.)
            self.local.launching = None
            self._on_change()
            raise
        self.local.launching = None
        self._set_handle(handle)
        return handle

    def _start_failure(self, err: HookError | DriverError | ClientStateError | OSError
                       ) -> StartFailed:
        now = self.setup.clock.now_ns()
        if isinstance(err, (ClientStateError, OSError)):  # a full disk, say: worth retrying
            return StartFailed(now, events.driver_failure(now, str(err)), True)
        if isinstance(err, HookError):
            return StartFailed(now, err.event or events.hook_failed(now, str(err)),
                               err.recoverable)
        if isinstance(err, DriverConfigError):
            return StartFailed(now, events.failed_validation(now, str(err)))
        return StartFailed(now, events.driver_failure(now, str(err)),
                           isinstance(err, RecoverableDriverError))

    async def _prestart(self) -> dict[str, str]:
        return await self.stages.prestart(self._request(), self.setup.capabilities(),
                                          self.setup.task_env, self.local.hooks_done)

    async def _wait_exit(self) -> None:
        handle = self.local.handle
        assert handle is not None
        driver = self.setup.require_driver()
        try:
            result = await driver.wait(handle.config.id)
        except DriverError as err:
            result = ExitResult(exit_code=-1, err=str(err))
        actions = self.lifecycle.handle(Exited(self.setup.clock.now_ns(), result))
        self.local.handle = None
        await self.stages.exited(self._request())
        self._apply(actions)
        # The exit, restart count and delay on disk before the executor's own record of the
        # exit goes: an agent dying in between must find the run over, not run it again.
        await self._durable(False)
        try:
            await driver.destroy(handle.config.id, force=True)
        except DriverError as err:
            log.warning("task %s: driver cleanup failed: %s", self.name, err)

    async def _wait_start_delay(self) -> None:
        """A restart's delay, measured from when it was decided (maybe by an earlier agent)."""
        remaining = self.local.start_after_ns - self.setup.clock.now_ns()
        if remaining > 0:
            await self._sleep(remaining)

    async def _wait_start_gate(self) -> None:
        """Until the group's lifecycle lets this task start, or it is killed waiting."""
        gate = self._gate
        if gate is None or gate.is_set():
            return
        waits = [asyncio.ensure_future(gate.wait()), asyncio.ensure_future(self._dead.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _sleep(self, delay_ns: int) -> None:
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), delay_ns / 1e9)
        except TimeoutError:
            pass

    async def _run_stop_hooks(self) -> None:
        await self.stages.stop(self._request())
        self.local.run_complete = True
        self._on_change()

    async def _run_update_hooks(self) -> None:
        while True:
            await self._updated.wait()
            self._updated.clear()
            await self.stages.update(self._request())

    def _request(self) -> TaskRequest:
        return TaskRequest(alloc=self.setup.alloc, task=self.setup.task,
                           task_dir=self.setup.task_dir)

    # --- requests from outside ----------------------------------------------

    async def kill(self, reason: TaskEvent | None = None) -> None:
        """Stop the task for good (kill signal, timeout, SIGKILL); returns once it is dead."""
        if not self.is_dead and reason is not None:
            self.emit(reason)
        timeout_ns = int(self.setup.kill_timeout_s() * 1e9)
        if self._apply(self.lifecycle.handle(KillRequested(self.setup.clock.now_ns(),
                                                           timeout_ns))):
            await self._stop_driver()
        self._wake.set()
        await self._dead.wait()

    async def restart(self, reason: str, failure: bool = False) -> None:
        """Stop the running task and start it again at once; TaskNotRunning otherwise."""
        if self._apply(self.lifecycle.handle(
                RestartRequested(self.setup.clock.now_ns(), reason, failure))):
            await self._stop_driver()

    async def signal(self, signal: str) -> None:
        handle = self.local.handle
        if handle is None or self.lifecycle.state != "running":
            raise TaskNotRunning()
        self.emit(events.signaling(self.setup.clock.now_ns(), signal))
        await self.setup.require_driver().signal(handle.config.id, signal)

    def update(self, alloc: Allocation) -> None:
        """A newer version of the allocation: kept, and the update hooks run soon."""
        self.setup = replace(self.setup, alloc=alloc)
        self._updated.set()

    async def destroy(self) -> None:
        """Kill what may still run and let the driver forget it (alloc destroy)."""
        handle = self.local.handle
        if handle is not None and self.setup.driver is not None:
            await self.setup.driver.destroy(handle.config.id, force=True)

    # --- plumbing -----------------------------------------------------------

    def emit(self, event: TaskEvent) -> None:
        record(self.local.task_state, Emit(event))
        self._on_change()

    def _apply(self, actions: list[Action]) -> bool:
        """Record state changes and events; True when the driver must stop the task."""
        stop = False
        for action in actions:
            if isinstance(action, (Emit, SetState)):
                record(self.local.task_state, action)
            elif isinstance(action, StartAfter):
                self.local.start_after_ns = self.setup.clock.now_ns() + action.delay_ns
            elif isinstance(action, StopTask):
                stop = True
        tracker = self.lifecycle.tracker
        self.local.restart_count = tracker.count
        self.local.restart_interval_start_ns = tracker.interval_start
        if self.is_dead:
            self._dead.set()
            self._wake.set()
        if actions:
            self._on_change()
        return stop

    def _set_handle(self, handle: TaskHandle | None) -> None:
        self.local.handle = handle
        self._on_change()  # persisted before anything else happens to the task

    async def _stop_driver(self) -> None:
        handle = self.local.handle
        if handle is None:
            return
        try:
            await self.setup.require_driver().stop(
                handle.config.id, self.setup.kill_timeout_s(), self.setup.kill_signal())
        except DriverError as err:
            log.error("task %s: failed to kill task, resources may have leaked: %s",
                      self.name, err)
