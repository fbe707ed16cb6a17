"""One task run through a per-task executor, as a driver holds it in memory.

Shared by every executor-backed driver (raw_exec now, exec later). The exit result
comes from the executor (`wait` on its socket) or, when the agent was down or the
connection broke, from the `exit.json` it leaves behind. An executor that vanished
without an exit record is an executor failure: exit code -1, as in Nomad, and the
orphaned task (if it is still the same process) is killed so it cannot run twice.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from caravan.client.drivers.base import ExitResult, TaskResourceUsage, TaskStatus
from caravan.client.drivers.execsession.command import DetachedCommand
from caravan.client.drivers.executor import launcher, proc
from caravan.client.drivers.executor.connection import ExecutorConnection, ExecutorGone
from caravan.client.drivers.executor.launcher import ExecutorSpec, ExecutorState, ExitRecord
from caravan.client.drivers.executor.probe import probe
from caravan.errors import DriverError

# Margin over the executor's own stop sequence (grace period, SIGKILL, 15 s) for its reply.
_STOP_REPLY_MARGIN_S = 20.0
_REAP_WINDOW_S = 2.0
_RETRY_S = 0.1


class ExecutorTask:
    def __init__(self, task_id: str, name: str, state_dir: Path, state: ExecutorState,
                 record: ExitRecord | None = None) -> None:
        self.task_id = task_id
        self.name = name
        self.state_dir = state_dir
        self.state = state
        self.connection = ExecutorConnection(state_dir)
        self._exit: ExitResult | None = None
        self._completed_at_ns = 0
        self._last_sample: tuple[float, int, int] | None = None
        if record is not None:
            self._record(record)

    @classmethod
    async def launch(cls, python: str, task_id: str, name: str, state_dir: Path,
                     spec: ExecutorSpec) -> ExecutorTask:
        state = await launcher.launch(python, state_dir, spec)
        return cls(task_id, name, state_dir, state)

    @classmethod
    async def recover(cls, task_id: str, name: str, state_dir: Path) -> ExecutorTask | None:
        """What an earlier start (before an agent restart) left in `state_dir`: the task,
        re-attached whether it still runs or has exited, or None when no executor ever
        started it. DriverError when its executor died without recording an exit (the
        task is killed then, if it is still the process recorded)."""
        found = await asyncio.to_thread(probe, state_dir)
        if found.outcome == "never" or found.state is None:
            return None
        if found.outcome == "lost":
            cls._kill_orphan(found.state)
            raise DriverError(f"failed to reattach to executor: executor (pid "
                              f"{found.state.executor_pid}) is not running")
        task = cls(task_id, name, state_dir, found.state, found.record)
        if found.record is None:
            await task._check_executor()
        return task

    async def _check_executor(self) -> None:
        try:
            reported, _ = await self.connection.state()
        except ExecutorGone as err:
            record = launcher.read_exit(self.state_dir)  # it may have just finished
            if record is None:
                raise DriverError(f"failed to reattach to executor: {err}") from err
            self._record(record)
            return
        if reported != self.state:
            raise DriverError("failed to reattach to executor: it runs another task")

    def runs_detached(self) -> bool:
        """Whether the executor started its task detached (and so reaps as subreaper,
        and can start exec sessions' commands detached too). Blocking: reads its spec."""
        try:
            spec = launcher.read_spec(self.state_dir)
        except DriverError:
            return False
        return spec is not None and spec.pid_file is not None

    async def exec_detached(self, argv: list[str], env: dict[str, str], pid_file: Path,
                            fds: tuple[int, int, int]) -> DetachedCommand:
        """Have the executor start an exec session's command with a detached runtime
        (`argv` writes the command's PID to `pid_file`) on the session's stdio `fds`."""
        request = {"op": "exec", "argv": argv, "env": env, "pid_file": str(pid_file)}
        reader, writer = await self.connection.exec_detached(request, fds)
        return DetachedCommand(reader, writer, self.state.executor_pid, pid_file)

    @property
    def exited(self) -> bool:
        return self._exit is not None

    async def wait(self) -> ExitResult:
        while self._exit is None:
            record: ExitRecord | None
            try:
                record = await self.connection.wait()
            except ExecutorGone:
                record = await self._after_lost_connection()
            if record is not None:  # else the executor still runs: ask again
                self._record(record)
                await self._reap_executor()
        return self._exit

    async def _after_lost_connection(self) -> ExitRecord | None:
        """The exit record, an executor failure, or None when the executor is still there."""
        record = launcher.read_exit(self.state_dir)
        if record is not None:
            return record
        if proc.is_running(self.state.executor):
            await asyncio.sleep(_RETRY_S)
            return None
        # It may have written its record just before going: look once more.
        return launcher.read_exit(self.state_dir) or self._executor_lost()

    async def stop(self, timeout_s: float, sig: int) -> None:
        if self._exit is not None:
            return
        record: ExitRecord | None
        try:
            async with asyncio.timeout(timeout_s + _STOP_REPLY_MARGIN_S):
                record = await self.connection.stop(sig, timeout_s)
        except ExecutorGone:
            record = await self._after_lost_connection()
            if record is None:
                raise DriverError(f"executor of task {self.name} stopped answering") from None
        except TimeoutError as err:
            raise DriverError(f"executor did not stop task {self.name}") from err
        self._record(record)
        await self._reap_executor()

    async def signal(self, sig: int) -> None:
        if self._exit is not None:
            raise DriverError("task is not running")
        await self.connection.signal(sig)

    def status(self) -> TaskStatus:
        if self._exit is None and (record := launcher.read_exit(self.state_dir)) is not None:
            self._record(record)
        return TaskStatus(id=self.task_id, name=self.name,
                          state="exited" if self._exit else "running",
                          started_at_ns=self.state.started_at_ns,
                          completed_at_ns=self._completed_at_ns, exit_result=self._exit)

    def sample(self) -> TaskResourceUsage:
        """RSS and CPU of the task's process group; CPU % is measured since the last sample."""
        running = proc.is_running(self.state.task)
        members = proc.group_members(self.state.task_pid) if running else []
        now = time.monotonic()
        user = sum(m.utime_ticks for m in members)
        system = sum(m.stime_ticks for m in members)
        user_pct = system_pct = 0.0
        if self._last_sample is not None and now > self._last_sample[0]:
            then, last_user, last_system = self._last_sample
            user_pct = _percent(user - last_user, now - then)
            system_pct = _percent(system - last_system, now - then)
        self._last_sample = (now, user, system)
        return TaskResourceUsage(
            rss_bytes=sum(m.rss_bytes for m in members), cpu_user_percent=user_pct,
            cpu_system_percent=system_pct, cpu_percent=user_pct + system_pct,
            pids=[m.pid for m in members], timestamp_ns=time.time_ns())

    def _record(self, record: ExitRecord) -> None:
        if self._exit is None:
            self._exit = ExitResult(exit_code=record.exit_code, signal=record.signal,
                                    oom_killed=record.oom_killed, err=record.err)
            self._completed_at_ns = record.finished_at_ns or time.time_ns()

    def _executor_lost(self) -> ExitRecord:
        self._kill_orphan(self.state)
        return ExitRecord(exit_code=-1, err="executor exited unexpectedly",
                          finished_at_ns=time.time_ns())

    @staticmethod
    def _kill_orphan(state: ExecutorState) -> None:
        proc.kill_group(state.task, signal.SIGKILL)

    async def _reap_executor(self) -> None:
        """Collect the executor's exit status if we started it (it exits just after replying)."""
        deadline = time.monotonic() + _REAP_WINDOW_S
        while not proc.reap_child(self.state.executor_pid) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)


def _percent(ticks: int, seconds: float) -> float:
    return 100.0 * proc.ticks_to_seconds(max(0, ticks)) / seconds
