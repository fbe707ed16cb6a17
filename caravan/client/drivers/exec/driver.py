"""The exec driver: each task in its own runc container — chroot, namespaces, cgroups, caps.

    start:  decode + validate config ─▶ user, capabilities, command ─▶ clear leftovers of an
            earlier run (container, cgroup orphans) ─▶ parent cgroup with limits ─▶ secrets
            tmpfs ─▶ OCI bundle ─▶ executor runs `runc run --detach` and, as child subreaper,
            reaps the container's process (outlives the agent; no runc stays behind)
    stop:   `runc kill <sig>` to the task ─▶ wait kill_timeout ─▶ `runc kill --all KILL`
    destroy: `runc delete --force`, cgroup removed, secrets unmounted, state removed

The executor owns the container process's stdio (rotating logs) and its exit code; this class only
keeps an in-memory table of running containers, rebuilt by `recover()`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
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
    cpuset,
)
from caravan.client.drivers.decode import decode
from caravan.client.drivers.exec.bundle import BundleSpec, write_bundle
from caravan.client.drivers.exec.capabilities import (
    agent_bounding,
    kernel_supported,
    normalize,
    task_capabilities,
    within_bounding,
)
from caravan.client.drivers.exec.cgroups import (
    Limits,
    TaskCgroup,
    detect_version,
    task_cgroup_names,
)
from caravan.client.drivers.exec.config import ExecPluginConfig, ExecTaskConfig
from caravan.client.drivers.exec.debug import DebugCopy, debug_container_id, is_debug_container
from caravan.client.drivers.exec.handle import ExecHandleState
from caravan.client.drivers.exec.masks import expand_masked_paths
from caravan.client.drivers.exec.resolve import Mount, make_executable, resolve_command
from caravan.client.drivers.exec.runc import Runc, container_id
from caravan.client.drivers.exec.secrets import mount_secrets
from caravan.client.drivers.exec_user import container_user, require_allowed
from caravan.client.drivers.execsession import CopyView, ExecLaunch, run_copy, run_exec
from caravan.client.drivers.executor.launcher import ExecutorSpec
from caravan.client.drivers.executor.task import ExecutorTask
from caravan.client.drivers.executor.tasks import ExecutorTasks, launch_executor, task_handle
from caravan.client.drivers.mounts import unmount
from caravan.client.drivers.signals import signal_number
from caravan.client.drivers.users import HostUser, check_denied, lookup_user, parse_id_ranges
from caravan.errors import DriverError
from caravan.execproto.copy import CopyRequest

_MB = 1024 * 1024
_POLL_S = 0.05
_HOST_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# Sessions started detached by the executor keep no runc per session, but with 50 opened
# at once into one task some lose their output (tests/integration/alloc_exec/test_streams.py
# ::test_50_concurrent_sessions_into_one_allocation): off until that is understood.
_DETACHED_SESSIONS = False


@dataclass(frozen=True)
class _Prepared:
    task_config: ExecTaskConfig
    user: HostUser
    caps: frozenset[str]
    dropped: str  # the Driver event's text, "" when nothing was dropped
    chroot: list[Mount]
    volumes: list[Mount]


@dataclass
class _Container:
    executor: ExecutorTask
    cid: str
    cgroup: TaskCgroup
    secrets_dir: Path
    last_cpu: tuple[float, int, int, int] | None = None  # (monotonic, total, user, system) ns


def _handle_state(task: _Container) -> ExecHandleState:
    return ExecHandleState.of(task.executor, container_id=task.cid, cgroup_name=task.cgroup.name,
                              cgroup_version=task.cgroup.version,
                              secrets_dir=str(task.secrets_dir))


class ExecDriver(Driver):
    name = "exec"

    def __init__(self, plugin_config: dict[str, Any], context: DriverContext) -> None:
        super().__init__(plugin_config, context)
        self._supported = kernel_supported()
        self._bounding = agent_bounding()
        self.config = ExecPluginConfig.parse(plugin_config, self._supported)
        self._allow = normalize(self.config.allow_caps, self._supported, "allow_caps")
        self._denied_uids = parse_id_ranges(self.config.denied_host_uids, "deniedHostUIDs")
        self._denied_gids = parse_id_ranges(self.config.denied_host_gids, "deniedHostGIDs")
        root = (context.state_root or Path("/run/caravan")) / "exec" / "runc"
        self._runc = Runc(self.config.runc_path or shutil.which("runc") or "runc", root)
        self._cgroup_version = detect_version()
        self._tasks: ExecutorTasks[_Container] = ExecutorTasks(lambda task: task.executor)

    # ---- fingerprint ------------------------------------------------------------------

    def fingerprint(self) -> DriverFingerprint:
        if not sys.platform.startswith("linux"):
            return DriverFingerprint(health="undetected",
                                     health_description="exec driver unsupported on client OS")
        if os.geteuid() != 0:
            return DriverFingerprint(health="undetected",
                                     health_description="Driver must run as root")
        if self._cgroup_version is None:
            return DriverFingerprint(health="unhealthy",
                                     health_description="Failed to discover cgroup mount point")
        try:
            version = self._runc.version()
        except DriverError as err:
            return DriverFingerprint(health="unhealthy", health_description=str(err))
        return DriverFingerprint(health="healthy", health_description="Healthy", attributes={
            "driver.exec": "true", "driver.exec.runtime": version,
            "driver.exec.cgroups": f"v{self._cgroup_version}"})

    def capabilities(self) -> Capabilities:
        return Capabilities(send_signals=True, exec=True, fs_isolation="chroot")

    # ---- start ------------------------------------------------------------------------

    async def start(self, config: TaskConfig) -> TaskHandle:
        self._tasks.check_new(config.id)
        if self._cgroup_version is None:
            raise DriverError("Failed to discover cgroup mount point")
        task = self._prepare(config)
        command = resolve_command(task.task_config.command, config.task_dir, task.volumes,
                                  task.chroot)
        make_executable(command.on_host, config.task_dir)
        cid = container_id(config.alloc_id, config.task_name)
        cgroup = TaskCgroup(cid, self._cgroup_version)
        await self._clear_leftovers(cid, cgroup)
        # cgroup files, the mount and the bundle are blocking file system work: in a thread.
        await asyncio.to_thread(cgroup.create, _limits(config, self.config.pids_limit))
        secrets = config.task_dir / "secrets"
        try:
            await asyncio.to_thread(mount_secrets, secrets, config.secrets_mb, task.user.uid,
                                    task.user.gid)
        except DriverError:
            await self._cleanup(cid, cgroup, None)
            raise
        bundle = await asyncio.to_thread(
            write_bundle, config.state_dir / "bundle",
            self._bundle_spec(config, task, [command.in_task, *task.task_config.args], cgroup))
        pid_file = config.state_dir / "task.pid"
        spec = ExecutorSpec(
            argv=self._runc.run_argv(bundle, cid, pid_file, no_pivot=self.config.no_pivot_root),
            pid_file=str(pid_file),
            env={"PATH": os.environ.get("PATH", _HOST_PATH)},
            cwd=str(config.state_dir),
            stdout_path=None if config.logs_disabled else str(config.stdout_path),
            stderr_path=None if config.logs_disabled else str(config.stderr_path),
            max_files=config.log_max_files, max_file_size=config.log_max_file_size)
        try:
            executor = await launch_executor(self.context.executor_python, config, spec)
        except DriverError:
            await self._cleanup(cid, cgroup, secrets)
            raise
        return self._adopt(config, _Container(executor, cid, cgroup, secrets),
                           [task.dropped] if task.dropped else [])

    def _prepare(self, config: TaskConfig) -> _Prepared:
        """What a container of this task is made of besides its command: its config,
        user (refused when denied), capabilities and mounts. A task's start and its
        debug copies take it from here alike, so a copy is isolated as the task was."""
        task_config = decode(ExecTaskConfig, config.driver_config)
        task_config.validate_values()
        user = lookup_user(config.user or "nobody")
        check_denied(user, self._denied_uids, self._denied_gids)
        caps, dropped = within_bounding(task_capabilities(
            allow=self._allow, cap_add=task_config.cap_add, cap_drop=task_config.cap_drop,
            user=user.name, supported=self._supported), self._bounding)
        volumes = [Mount(m.host_path, PurePosixPath(m.task_path), m.read_only)
                   for m in config.mounts]
        return _Prepared(task_config, user, caps, dropped, self._chroot_mounts(config),
                         volumes)

    def _bundle_spec(self, config: TaskConfig, task: _Prepared, argv: list[str],
                     cgroup: TaskCgroup, *, terminal: bool = False,
                     secrets_tmpfs_mb: int = 0) -> BundleSpec:
        user, task_config = task.user, task.task_config
        return BundleSpec(
            argv=argv, env=_task_env(config, user),
            cwd=task_config.work_dir or "/", uid=user.uid, gid=user.gid,
            additional_gids=[g for g in user.groups if g != user.gid],
            capabilities=task.caps, root_user=user.name == "root", task_dir=config.task_dir,
            shared_dir=config.alloc_dir, chroot=task.chroot, volumes=task.volumes,
            pid_private=(task_config.pid_mode or self.config.default_pid_mode) == "private",
            ipc_private=(task_config.ipc_mode or self.config.default_ipc_mode) == "private",
            cgroups_path=cgroup.runc_path, hostname=socket.gethostname(),
            cpuset_cpus=cpuset(config.resources.cores),
            extra_masked=expand_masked_paths(self.config.masked_paths, task.chroot),
            terminal=terminal, secrets_tmpfs_mb=secrets_tmpfs_mb)

    async def debug_streaming(self, config: TaskConfig, session_id: str, command: list[str],
                              tty: bool, stream: ExecStream) -> int:
        """A copy of the task's container running `command` in the foreground (`alloc
        debug`): `_prepare` and `_bundle_spec` as at start, its own cgroup with the same
        limits and its own private secrets tmpfs inside the container (nothing is
        mounted on the host; in the task dir the agent only makes `secrets` 0700)."""
        if self._cgroup_version is None:
            raise DriverError("Failed to discover cgroup mount point")
        task = self._prepare(config)
        copy = DebugCopy(self._runc, config.task_dir, config.state_dir,
                         debug_container_id(config.alloc_id, config.task_name, session_id),
                         self._cgroup_version, self.config.no_pivot_root)
        return await copy.run(
            lambda cgroup: self._bundle_spec(config, task, command, cgroup, terminal=tty,
                                             secrets_tmpfs_mb=config.secrets_mb),
            _limits(config, self.config.pids_limit), tty, stream, self._empty_cgroup)

    def _adopt(self, config: TaskConfig, task: _Container,
               messages: list[str] | None = None) -> TaskHandle:
        self._tasks.add(config.id, task)
        return task_handle(self.name, config, _handle_state(task), messages)

    def _chroot_mounts(self, config: TaskConfig) -> list[Mount]:
        """chroot_env entries that exist and do not reach the client's data dir.

        Binding a dir that contains the data dir would show every alloc (and, through
        the recursive bind, other tasks' secrets tmpfs) inside the chroot.
        """
        data_dir = self.context.state_root.parents[1] if self.context.state_root else None
        mounts = []
        for host, inside in self.context.chroot_env.items():
            path = Path(host)
            if not path.exists():
                continue
            real = path.resolve()
            if data_dir is not None and (data_dir.is_relative_to(real)
                                         or real.is_relative_to(data_dir)):
                continue
            mounts.append(Mount(path, PurePosixPath(inside), read_only=True))
        return mounts

    async def _clear_leftovers(self, cid: str, cgroup: TaskCgroup) -> None:
        """An earlier run of this task may have left its container or processes behind."""
        await self._runc.delete(cid)
        await self._empty_cgroup(cgroup)

    # ---- running tasks ----------------------------------------------------------------

    async def wait(self, task_id: str) -> ExitResult:
        task = self._tasks.get(task_id)
        return _container_exit(await task.executor.wait(), task.cgroup)

    async def stop(self, task_id: str, timeout_s: float, signal: str) -> None:
        task = self._tasks.get(task_id)
        if task.executor.status().exit_result is not None:
            return
        if timeout_s > 0:
            await self._runc.kill(task.cid, _signal_name(signal))
            if await _exited_within(task.executor, timeout_s):
                return
        # The whole container, every process in its cgroup, not just its first process.
        await self._runc.kill(task.cid, "KILL", all_processes=True)
        if not await _exited_within(task.executor, 15.0):
            raise DriverError("process failed to exit after 15 seconds")

    async def signal(self, task_id: str, signal: str) -> None:
        task = self._tasks.running(task_id)
        await self._runc.kill(task.cid, _signal_name(signal))

    async def destroy(self, task_id: str, force: bool) -> None:
        await self._tasks.destroy(
            task_id, force, kill=lambda _: self.stop(task_id, 0, "SIGKILL"),
            release=lambda task: self._cleanup(task.cid, task.cgroup, task.secrets_dir))

    async def _cleanup(self, cid: str, cgroup: TaskCgroup, secrets: Path | None) -> None:
        await self._runc.delete(cid)
        await self._empty_cgroup(cgroup)
        await asyncio.to_thread(cgroup.destroy)
        if secrets is not None:
            await asyncio.to_thread(unmount, secrets)

    async def _empty_cgroup(self, cgroup: TaskCgroup) -> None:
        """Kill what is left in the task's cgroup and wait until the kernel has reaped it
        (a cgroup with processes cannot be removed)."""
        for _ in range(50):
            cgroup.kill_all()
            if not cgroup.pids():
                return
            await asyncio.sleep(0.02)
        raise DriverError(f"orphaned processes {cgroup.pids()} have not been removed from "
                          "cgroups pid file")

    def inspect(self, task_id: str) -> TaskStatus:
        task = self._tasks.get(task_id)
        status = task.executor.status()
        if status.exit_result is None:
            return status
        return status.model_copy(update={
            "exit_result": _container_exit(status.exit_result, task.cgroup)})

    async def recover(self, handle: TaskHandle) -> None:
        await self._tasks.recover(handle, ExecHandleState, lambda executor, state: _Container(
            executor, state.container_id, TaskCgroup(state.cgroup_name, state.cgroup_version),
            Path(state.secrets_dir)))

    async def recover_launch(self, config: TaskConfig) -> TaskHandle | None:
        """As `start` names them: the container after the task, the cgroup after the
        container, the secrets tmpfs in the task dir. A start that never launched its
        executor may have left a container or cgroup; the next `start` clears them."""
        version = self._cgroup_version
        if version is None:
            return None  # no cgroups: no start of this driver got as far as an executor
        cid = container_id(config.alloc_id, config.task_name)
        task = await self._tasks.recover_launch(config, lambda executor: _Container(
            executor, cid, TaskCgroup(cid, version), config.task_dir / "secrets"))
        if task is None:
            return None
        return task_handle(self.name, config, _handle_state(task))

    async def exec_streaming(self, task_id: str, command: list[str], tty: bool,
                             stream: ExecStream, user: str = "") -> int:
        """`runc exec` into the task's container: its chroot, PID/IPC namespaces, cgroup,
        capabilities, user, environment and work_dir, since runc takes the process from
        the bundle's spec with only argv replaced. runc stays in the foreground; with a
        tty it relays the container's own pty (from the container's devpts) to ours.
        With `_DETACHED_SESSIONS`, a session without a tty has `runc exec --detach` run
        by the task's executor instead, which reaps the command as its subreaper."""
        task = self._tasks.running(task_id)
        as_user = await self._exec_user_args(task, task_id, user) if user else []
        work = Path(tempfile.mkdtemp(prefix="exec-", dir=task.executor.state_dir))
        pid_file = work / "pid"
        detached = (_DETACHED_SESSIONS and not tty
                    and await asyncio.to_thread(task.executor.runs_detached))
        # With --log, runc's own messages leave its stderr, except the one fatal line.
        argv = [*self._runc.base(), "--log", str(work / "runc.log"), "--log-format", "json",
                "exec", *(["--tty"] if tty else []), *(["--detach"] if detached else []),
                *as_user, "--pid-file", str(pid_file), task.cid, *command]
        env = {"PATH": os.environ.get("PATH", _HOST_PATH)}
        launch = ExecLaunch(argv=argv, env=env, tty=tty, runtime_pid_file=pid_file,
                            start_detached=(lambda fds: task.executor.exec_detached(
                                argv, env, pid_file, fds)) if detached else None)
        try:
            return await run_exec(launch, stream)
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)

    async def _exec_user_args(self, task: _Container, task_id: str, user: str) -> list[str]:
        """runc's `--user uid:gid --additional-gids g...` for `alloc exec -u`."""
        require_allowed(user, self.config.allow_exec_users, self.name)
        pid = await self._runc.init_pid(task.cid)
        found = await asyncio.to_thread(container_user, f"/proc/{pid}/root", user,
                                        task_id.rpartition("/")[2])
        check_denied(found, self._denied_uids, self._denied_gids)
        extra = [f"--additional-gids={g}" for g in found.groups if g != found.gid]
        return [f"--user={found.uid}:{found.gid}", *extra]

    async def copy_streaming(self, task_id: str, request: CopyRequest,
                             stream: ExecStream) -> int:
        """The copy helper joins the container's mount namespace (its root, masks and
        secrets tmpfs) and runs as the container's user from its working dir."""
        task = self._tasks.running(task_id)
        config = json.loads(await asyncio.to_thread(
            (task.executor.state_dir / "bundle" / "config.json").read_bytes))
        user = config["process"]["user"]
        view = CopyView(cwd=config["process"]["cwd"], uid=user["uid"], gid=user["gid"],
                        groups=user.get("additionalGids") or [],
                        mount_ns_pid=await self._runc.init_pid(task.cid))
        return await run_copy(self.context.executor_python, view, request, stream)

    async def stats(self, task_id: str) -> TaskResourceUsage:
        task = self._tasks.get(task_id)
        cg = await asyncio.to_thread(task.cgroup.stats)
        now = time.monotonic()
        user_pct = system_pct = total_pct = 0.0
        if task.last_cpu is not None and now > task.last_cpu[0]:
            span_ns = (now - task.last_cpu[0]) * 1e9
            total_pct = 100 * (cg.cpu_total_ns - task.last_cpu[1]) / span_ns
            user_pct = 100 * (cg.cpu_user_ns - task.last_cpu[2]) / span_ns
            system_pct = 100 * (cg.cpu_system_ns - task.last_cpu[3]) / span_ns
        task.last_cpu = (now, cg.cpu_total_ns, cg.cpu_user_ns, cg.cpu_system_ns)
        return TaskResourceUsage(
            rss_bytes=cg.rss, cache_bytes=cg.cache, swap_bytes=cg.swap, usage_bytes=cg.usage,
            max_usage_bytes=cg.max_usage, cpu_percent=max(0.0, total_pct),
            cpu_user_percent=max(0.0, user_pct), cpu_system_percent=max(0.0, system_pct),
            throttled_periods=cg.throttled_periods, throttled_time_ns=cg.throttled_time_ns,
            pids=await asyncio.to_thread(task.cgroup.pids), timestamp_ns=time.time_ns(),
            memory_measured=["RSS", "Cache", "Swap", "Usage", "Max Usage"],
            cpu_measured=["System Mode", "User Mode", "Throttled Periods", "Throttled Time",
                          "Percent"])

    async def remove_orphans(self, known_tasks: set[tuple[str, str]]) -> list[str]:
        """Delete containers in this driver's runc root, and cgroups of allocations this
        client's data dir holds, that belong to no task the client still runs. An `alloc
        debug` copy (`debug_container_id`) never does: one left here outlived its agent."""
        known = {container_id(alloc_id, task) for alloc_id, task in known_tasks}
        version = self._cgroup_version or 1
        removed = []
        for cid in await self._runc.list_ids():
            if cid not in known:
                await self._runc.kill(cid, "KILL", all_processes=True)
                # The client removes the orphan's alloc dir (and its secrets mount).
                await self._cleanup(cid, TaskCgroup(cid, version), None)
                removed.append(f"debug copy {cid}" if is_debug_container(cid)
                               else f"container {cid}")
        ours = await asyncio.to_thread(self._allocs_on_disk)
        for name in await asyncio.to_thread(task_cgroup_names, version):
            if name[:36] in ours and name not in known:
                cgroup = TaskCgroup(name, version)
                await self._empty_cgroup(cgroup)
                cgroup.destroy()
                removed.append(f"cgroup {name}")
        return removed

    def _allocs_on_disk(self) -> set[str]:
        """Allocation IDs with an alloc dir or executor dir under this client's data dir:
        only their cgroups are this client's (other clients may share the host)."""
        if self.context.state_root is None:
            return set()
        data_dir = self.context.state_root.parents[1]
        return {p.name for d in (data_dir / "alloc", data_dir / "client" / "executor")
                if d.is_dir() for p in d.iterdir()}

    async def close(self) -> None:
        self._tasks.clear()


def _limits(config: TaskConfig, pids: int) -> Limits:
    r = config.resources
    if r.memory_max_mb > 0:
        hard, soft = r.memory_max_mb, r.memory_mb
    elif r.memory_max_mb == -1:  # reservation only: no hard limit
        hard, soft = 0, r.memory_mb
    else:
        hard, soft = r.memory_mb, 0
    return Limits(cpu_shares=r.cpu_shares, memory_bytes=hard * _MB,
                  memory_soft_bytes=soft * _MB, pids=pids)


def _task_env(config: TaskConfig, user: HostUser) -> dict[str, str]:
    return {**config.env, "USER": user.name, "LOGNAME": user.name, "HOME": user.home}


def _container_exit(result: ExitResult, cgroup: TaskCgroup) -> ExitResult:
    """A container killed by signal N exits 128+N (the executor reaps its process itself;
    a foreground runc reported it so); say so as Nomad does, with the OOM killer named."""
    if result.err:
        return result
    signal = result.signal or (result.exit_code - 128 if 128 < result.exit_code < 128 + 65 else 0)
    oom = signal == 9 and cgroup.oom_killed()
    return result.model_copy(update={"signal": signal, "oom_killed": oom})


def _signal_name(signal: str) -> str:
    return str(signal_number(signal))


async def _exited_within(executor: ExecutorTask, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if executor.status().exit_result is not None:
            return True
        await asyncio.sleep(_POLL_S)
    return executor.status().exit_result is not None
