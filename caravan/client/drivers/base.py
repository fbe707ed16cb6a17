"""The task driver interface, shaped like Nomad's driver plugin API, and the models it speaks.

A driver sees a `TaskConfig` (never a Job) and keeps only an in-memory table of the
tasks it runs. What it needs to re-attach after an agent restart goes into
`TaskHandle.driver_state`, which the client persists and hands back to `recover()`.

    fingerprint ─▶ start ─▶ wait ─────────────▶ destroy
                     │        ▲
                     │        └── stop(timeout, signal) / signal / exec_streaming
                     └── (agent restart) ── recover(handle) ──▶ wait ...
                         (died during start) recover_launch(config) ──▶ handle ▶ wait ...
                                                                  └──▶ None ▶ start

Optional operations (`stats`, `signal`, `exec_streaming`, `copy_streaming`) raise `NotSupported` unless
the driver overrides them; `capabilities()` says which ones work.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from caravan.errors import DriverError, NotSupported
from caravan.execproto.copy import CopyRequest
from caravan.execproto.frames import ExecInput, OutputStream

HealthState = Literal["undetected", "unhealthy", "healthy"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DriverConfigError(DriverError):
    """The task's `config` block does not decode: surfaces as a `Failed Validation` event."""


class RecoverableDriverError(DriverError):
    """A start failure worth retrying under the restart policy (most driver errors are not)."""


class TaskNotFound(DriverError):
    status = 404

    def __init__(self, task_id: str) -> None:
        super().__init__(f"task not found for given id: {task_id}")


class DriverFingerprint(_Model):
    health: HealthState
    health_description: str
    attributes: dict[str, str] = Field(default_factory=dict)


class Capabilities(_Model):
    send_signals: bool = False
    exec: bool = False
    fs_isolation: Literal["none", "chroot"] = "none"


class DriverContext(_Model):
    """What the client tells every driver it builds (besides the driver's plugin config)."""

    client_options: dict[str, str] = Field(default_factory=dict)
    # The interpreter that runs the per-task executor (`python3 -I -S executor.py`).
    executor_python: str = "python3"
    # Host dir -> path inside a chroot, for drivers with filesystem isolation.
    chroot_env: dict[str, str] = Field(default_factory=dict)
    # Where a driver keeps state shared by all its tasks (runc's state root); under data_dir.
    state_root: Path | None = None


class TaskResources(_Model):
    cpu_shares: int = 0
    memory_mb: int = 0
    memory_max_mb: int = 0
    cores: list[int] = Field(default_factory=list)  # reserved exclusively (a cpuset)


def cpuset(cores: list[int]) -> str:
    """Core IDs in the kernel's cpuset list notation: [0, 1, 2, 5] -> "0-2,5"."""
    ranges: list[str] = []
    for core in sorted(set(cores)):
        if ranges and int(ranges[-1].rsplit("-", 1)[-1]) == core - 1:
            ranges[-1] = f"{ranges[-1].split('-')[0]}-{core}"
        else:
            ranges.append(str(core))
    return ",".join(ranges)

class TaskMount(_Model):
    """A host path the task sees at `task_path` (a `volume_mount` of a host volume)."""

    host_path: Path
    task_path: str
    read_only: bool = False


class TaskConfig(_Model):
    """Everything a driver may know about one task run.

    Paths are host paths. `state_dir` is private to the driver (executor state,
    sockets) and never visible to the task.
    """

    id: str
    alloc_id: str
    task_name: str
    group_name: str = ""
    job_id: str = ""
    driver_config: dict[str, Any] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict)
    user: str = ""
    resources: TaskResources = Field(default_factory=TaskResources)
    alloc_dir: Path
    task_dir: Path
    state_dir: Path
    stdout_path: Path
    stderr_path: Path
    log_max_files: int = 10
    log_max_file_size: int = 10 * 1024 * 1024
    logs_disabled: bool = False
    kill_signal: str = "SIGINT"
    kill_timeout_s: float = 5.0
    mounts: list[TaskMount] = Field(default_factory=list)
    secrets_mb: int = 1

    @property
    def local_dir(self) -> Path:
        return self.task_dir / "local"


class TaskHandle(_Model):
    """A started task as the client persists it; `driver_state` is the driver's own model."""

    version: int = 1
    driver: str
    config: TaskConfig
    driver_state: dict[str, Any] = Field(default_factory=dict)
    started_at_ns: int = 0
    # What the driver tells the user about this start (Nomad's `Driver` task events, say
    # capabilities it had to drop); the task runner reports them once, never persisted.
    messages: list[str] = Field(default_factory=list, exclude=True)


class ExitResult(_Model):
    exit_code: int = 0
    signal: int = 0
    oom_killed: bool = False
    err: str = ""

    def successful(self) -> bool:
        return self.exit_code == 0 and self.signal == 0 and not self.err


class TaskStatus(_Model):
    id: str
    name: str
    state: Literal["running", "exited", "unknown"]
    started_at_ns: int = 0
    completed_at_ns: int = 0
    exit_result: ExitResult | None = None


class TaskResourceUsage(_Model):
    """One sample of a task's resource use, read by the driver."""

    rss_bytes: int = 0
    # CPU use since the previous sample, in percent of one core.
    cpu_user_percent: float = 0.0
    cpu_system_percent: float = 0.0
    cpu_percent: float = 0.0
    pids: list[int] = Field(default_factory=list)
    timestamp_ns: int = 0
    # Read from a cgroup when the driver has one (exec); 0 and unmeasured otherwise.
    cache_bytes: int = 0
    swap_bytes: int = 0
    usage_bytes: int = 0
    max_usage_bytes: int = 0
    throttled_periods: int = 0
    throttled_time_ns: int = 0
    memory_measured: list[str] = Field(default_factory=lambda: ["RSS"])
    cpu_measured: list[str] = Field(
        default_factory=lambda: ["System Mode", "User Mode", "Percent"])


class ExecStream(Protocol):
    """The caller's end of one `alloc exec` session, as a driver sees it (the inputs and
    stream names are the exec channel's, `caravan.execproto.frames`).

    `receive()` is called by one task only and returns the next input, or None once
    the caller will send nothing more (the session itself goes on). `send()` may be
    called by two tasks at once (stdout and stderr); it waits while the caller is
    behind (back-pressure), and an empty `data` says that stream has ended.
    """

    async def receive(self) -> ExecInput | None: ...
    async def send(self, stream: OutputStream, data: bytes) -> None: ...


class Driver(ABC):
    """One task driver. Instances are built by the client from the plugin config.

    Methods may be called concurrently for different tasks; `wait` may be called
    several times for the same task. Cancelling `wait` never affects the task.
    """

    name: ClassVar[str]

    def __init__(self, plugin_config: dict[str, Any], context: DriverContext) -> None:
        self.context = context

    @abstractmethod
    def fingerprint(self) -> DriverFingerprint: ...

    @abstractmethod
    def capabilities(self) -> Capabilities: ...

    @abstractmethod
    async def start(self, config: TaskConfig) -> TaskHandle:
        """Start the task; raise DriverConfigError / DriverError when it cannot start."""

    @abstractmethod
    async def wait(self, task_id: str) -> ExitResult:
        """Return once the task has exited (at once if it already has)."""

    @abstractmethod
    async def stop(self, task_id: str, timeout_s: float, signal: str) -> None:
        """Send `signal`, wait `timeout_s`, then SIGKILL; returns when the task has exited."""

    @abstractmethod
    async def destroy(self, task_id: str, force: bool) -> None:
        """Forget the task and clean up; a running task needs `force` (then it is killed)."""

    @abstractmethod
    def inspect(self, task_id: str) -> TaskStatus: ...

    @abstractmethod
    async def recover(self, handle: TaskHandle) -> None:
        """Re-attach to a task started before an agent restart; DriverError if impossible."""

    @abstractmethod
    async def recover_launch(self, config: TaskConfig) -> TaskHandle | None:
        """The client recorded that it was starting `config` but not what `start` returned
        (the agent died in between). Return the handle of what that start left — running,
        or exited with its exit code kept — or None when it never got as far as starting
        the task. DriverError when it started the task but cannot re-attach. Never starts
        anything itself: one launch per task, whatever moment the agent died."""

    async def stats(self, task_id: str) -> TaskResourceUsage:
        raise NotSupported(f"driver {self.name} does not support stats")

    async def signal(self, task_id: str, signal: str) -> None:
        raise NotSupported(f"driver {self.name} does not support signals")

    async def exec_streaming(self, task_id: str, command: list[str], tty: bool,
                             stream: ExecStream, user: str = "") -> int:
        """Run `command` inside the running task (`alloc exec`) and return its exit code
        (128+N when killed by signal N). Several sessions may run at once. Raises
        DriverError when the command cannot start. Cancelling it kills the command and
        everything it started, then re-raises. `user` (`alloc exec -u`) runs it as that
        user instead of the task's, under the rules of `drivers/exec_user.py`."""
        raise NotSupported(f"driver {self.name} does not support exec")

    async def copy_streaming(self, task_id: str, request: CopyRequest,
                             stream: ExecStream) -> int:
        """`alloc cp`: write (download) or unpack (upload) a tar stream on `stream` as the
        running task's user in its filesystem view; returns the copy's exit code (its
        error on stderr). Same contract as `exec_streaming` otherwise."""
        raise NotSupported(f"driver {self.name} does not support exec")

    async def debug_streaming(self, config: TaskConfig, session_id: str, command: list[str],
                              tty: bool, stream: ExecStream) -> int:
        """Run `command` in a short-lived copy of the exited task `config` last started
        (`alloc debug`): the same task dir, user, environment, mounts and limits, no
        restart. Returns its exit code; DriverError when the copy cannot start. Whatever
        way it ends (exit, error, cancellation), the copy is gone when this returns;
        what an agent killed meanwhile leaves is `remove_orphans`' (the copy is named
        after `session_id` and is no task the client knows)."""
        raise NotSupported(f"driver {self.name} does not support debug copies")

    async def remove_orphans(self, known_tasks: set[tuple[str, str]]) -> list[str]:
        """Clean up what earlier runs left behind for tasks (alloc ID, task name) not in
        `known_tasks`; returns what was removed. Called once at client start, before any
        task is restored, so it cannot race a recovery. Drivers with nothing external
        to clean (no containers) keep this default."""
        return []

    async def close(self) -> None:
        """Drop in-memory state at agent shutdown; running tasks are left running."""
