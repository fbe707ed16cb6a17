"""The raw_exec driver: a task's command runs on the host, unisolated, through an executor."""

from __future__ import annotations

import asyncio
import fnmatch
import os
import shutil
import signal as signals
from typing import Any

from caravan.client.drivers.base import (
    Capabilities,
    Driver,
    DriverContext,
    DriverFingerprint,
    ExecStream,
    ExitResult,
    TaskConfig,
    TaskHandle,
    TaskResourceUsage,
    TaskStatus,
)
from caravan.client.drivers.decode import decode
from caravan.client.drivers.exec_user import host_user, require_allowed
from caravan.client.drivers.execsession import (
    CopyView,
    ExecLaunch,
    ExecStartFailed,
    run_copy,
    run_exec,
)
from caravan.client.drivers.executor.handle import ExecutorHandleState
from caravan.client.drivers.executor.launcher import ExecutorSpec
from caravan.client.drivers.executor.task import ExecutorTask
from caravan.client.drivers.executor.tasks import ExecutorTasks, launch_executor, task_handle
from caravan.client.drivers.raw_exec.command import lookup_command
from caravan.client.drivers.raw_exec.config import RawExecPluginConfig, RawExecTaskConfig
from caravan.client.drivers.signals import signal_number
from caravan.client.drivers.users import check_denied, lookup_user, parse_id_ranges
from caravan.errors import DriverError
from caravan.execproto.copy import CopyRequest


class RawExecDriver(Driver):
    name = "raw_exec"

    def __init__(self, plugin_config: dict[str, Any], context: DriverContext) -> None:
        super().__init__(plugin_config, context)
        self.config = RawExecPluginConfig.parse(plugin_config, context.client_options)
        self._denied_uids = parse_id_ranges(self.config.denied_host_uids, "deniedHostUIDs")
        self._denied_gids = parse_id_ranges(self.config.denied_host_gids, "deniedHostGIDs")
        self._tasks: ExecutorTasks[ExecutorTask] = ExecutorTasks(lambda task: task)

    def fingerprint(self) -> DriverFingerprint:
        if not self.config.enabled:
            return DriverFingerprint(health="undetected", health_description="disabled")
        return DriverFingerprint(health="healthy", health_description="Healthy",
                                 attributes={"driver.raw_exec": "true"})

    def capabilities(self) -> Capabilities:
        return Capabilities(send_signals=True, exec=True, fs_isolation="none")

    async def start(self, config: TaskConfig) -> TaskHandle:
        if not self.config.enabled:
            raise DriverError("raw_exec is disabled")
        self._tasks.check_new(config.id)
        task_config = decode(RawExecTaskConfig, config.driver_config)
        task_config.validate_values()
        spec = self._spec(config, task_config)
        task = await launch_executor(self.context.executor_python, config, spec)
        self._tasks.add(config.id, task)
        return task_handle(self.name, config, ExecutorHandleState.of(task))

    def _spec(self, config: TaskConfig, task_config: RawExecTaskConfig,
              argv: list[str] | None = None) -> ExecutorSpec:
        """How the task runs; `argv` given (a debug copy), the task's command is not looked up."""
        if argv is None:
            # As in Nomad, $PATH is the agent's own, not the task's.
            argv = [lookup_command(config.task_dir, task_config.command, os.environ.get("PATH")),
                    *task_config.args]
        uid = gid = groups = None
        if config.user:
            user = lookup_user(config.user)
            check_denied(user, self._denied_uids, self._denied_gids)
            uid, gid, groups = user.uid, user.gid, user.groups
        logs = not config.logs_disabled
        return ExecutorSpec(
            argv=argv, env=self._env(config, task_config),
            cwd=task_config.work_dir or str(config.task_dir), uid=uid, gid=gid, groups=groups,
            stdout_path=str(config.stdout_path) if logs else None,
            stderr_path=str(config.stderr_path) if logs else None,
            max_files=config.log_max_files, max_file_size=config.log_max_file_size)

    def _env(self, config: TaskConfig, task_config: RawExecTaskConfig) -> dict[str, str]:
        denied = [*self.config.denied_envvars, *task_config.denied_envvars]
        return {k: v for k, v in config.env.items()
                if not any(fnmatch.fnmatchcase(k, pattern) for pattern in denied)}

    async def wait(self, task_id: str) -> ExitResult:
        return await self._tasks.get(task_id).wait()

    async def stop(self, task_id: str, timeout_s: float, signal: str) -> None:
        await self._tasks.get(task_id).stop(timeout_s, signal_number(signal))

    async def destroy(self, task_id: str, force: bool) -> None:
        await self._tasks.destroy(task_id, force, lambda task: task.stop(0, signals.SIGKILL))

    def inspect(self, task_id: str) -> TaskStatus:
        return self._tasks.get(task_id).status()

    async def recover(self, handle: TaskHandle) -> None:
        await self._tasks.recover(handle, ExecutorHandleState, lambda task, _: task)

    async def recover_launch(self, config: TaskConfig) -> TaskHandle | None:
        task = await self._tasks.recover_launch(config, lambda task: task)
        if task is None:
            return None
        return task_handle(self.name, config, ExecutorHandleState.of(task))

    async def stats(self, task_id: str) -> TaskResourceUsage:
        return await asyncio.to_thread(self._tasks.get(task_id).sample)

    async def signal(self, task_id: str, signal: str) -> None:
        await self._tasks.get(task_id).signal(signal_number(signal))

    async def exec_streaming(self, task_id: str, command: list[str], tty: bool,
                             stream: ExecStream, user: str = "") -> int:
        """The command on the host as the task runs: the task's environment, user and
        working directory (the task dir unless `work_dir`), in a session of its own."""
        task = self._tasks.running(task_id)
        # The spec the executor started the task from (it outlives agent restarts).
        spec = ExecutorSpec.model_validate_json(
            await asyncio.to_thread((task.state_dir / "spec.json").read_bytes))
        if user:
            require_allowed(user, self.config.allow_exec_users, self.name)
            found = host_user(user)
            check_denied(found, self._denied_uids, self._denied_gids)
            spec = spec.model_copy(update={"uid": found.uid, "gid": found.gid,
                                           "groups": found.groups})
        return await run_exec(_launch(spec, command, tty), stream)

    async def debug_streaming(self, config: TaskConfig, session_id: str, command: list[str],
                              tty: bool, stream: ExecStream) -> int:
        """raw_exec has no container to copy: the copy is the command as a host process
        with what the task ran with (user, environment, working directory), built as
        `start` builds it. `session_id` names nothing: the process is the whole copy."""
        if not self.config.enabled:
            raise DriverError("raw_exec is disabled")
        task_config = decode(RawExecTaskConfig, config.driver_config)
        task_config.validate_values()
        spec = self._spec(config, task_config, argv=command)
        return await run_exec(_launch(spec, command, tty), stream)

    async def copy_streaming(self, task_id: str, request: CopyRequest,
                             stream: ExecStream) -> int:
        """The copy helper on the host as the task's user, from its working directory."""
        task = self._tasks.running(task_id)
        spec = ExecutorSpec.model_validate_json(
            await asyncio.to_thread((task.state_dir / "spec.json").read_bytes))
        view = CopyView(cwd=spec.cwd or str(task.state_dir), uid=spec.uid, gid=spec.gid,
                        groups=spec.groups or [])
        return await run_copy(self.context.executor_python, view, request, stream)

    async def close(self) -> None:
        self._tasks.clear()


def _launch(spec: ExecutorSpec, command: list[str], tty: bool) -> ExecLaunch:
    return ExecLaunch(argv=[_exec_path(command[0], spec), *command[1:]], env=spec.env, tty=tty,
                      cwd=spec.cwd, uid=spec.uid, gid=spec.gid, groups=spec.groups)


def _exec_path(name: str, spec: ExecutorSpec) -> str:
    """`name` as the task would find it: relative to its cwd, else on the task's $PATH
    (the agent's when the task has none)."""
    if "/" in name:
        found = os.path.join(spec.cwd or "/", name)
        if os.access(found, os.X_OK) and not os.path.isdir(found):
            return found
    else:
        path = spec.env.get("PATH") or os.environ.get("PATH", os.defpath)
        if (hit := shutil.which(name, path=path)) is not None:
            return hit
    raise ExecStartFailed(f'exec: "{name}": executable file not found in $PATH')
