"""Starting a per-task executor, and the files it leaves in its state dir.

The executor is spawned with `posix_spawn` in a new session, not through asyncio's
subprocess machinery (nor `caravan.process`, the agent's one way to run every other
process): asyncio kills a child whose transport is closed or collected, and the
executor must outlive the agent, so no helper may own it, time it out or stop it. The agent collects the exit status of the
executors it started itself (`proc.reap_child`); after a restart init does.

Before spawning, the agent takes an exclusive flock on `executor.lock` and hands the
locked descriptor to the executor, which keeps it for life. So at any moment, even
between the spawn and the executor's first line, "the lock is held" means "an
executor of this state dir lives", and `probe()` can tell a restarted agent what an
earlier start left behind without trusting a PID: one executor per state dir, ever.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import select
import signal
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from caravan.client.drivers.executor.proc import ProcIdentity, kill_group, reap_child
from caravan.client.drivers.base import RecoverableDriverError
from caravan.errors import DriverError

EXECUTOR_PATH = Path(__file__).with_name("executor.py")
START_TIMEOUT_S = 10.0
LOCK_NAME = "executor.lock"
LOCK_FD = 3  # where the executor finds the lock it inherits
# A restarted task's previous executor exits just after its last reply.
LOCK_WAIT_S = 5.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ExecutorSpec(_Model):
    """What the executor runs: written as `spec.json` (see executor.py)."""

    argv: list[str]
    env: dict[str, str]
    cwd: str | None = None
    uid: int | None = None
    gid: int | None = None
    groups: list[int] | None = None
    stdout_path: str | None = None
    stderr_path: str | None = None
    max_files: int = 10
    max_file_size: int = 10 * 1024 * 1024
    # Set: argv is a launcher that starts the task detached and writes its PID here.
    pid_file: str | None = None


class ExecutorState(_Model):
    """`state.json`: who is running, identified by PID and start time."""

    executor_pid: int
    executor_start_time: int
    task_pid: int
    task_start_time: int
    started_at_ns: int

    @property
    def executor(self) -> ProcIdentity:
        return ProcIdentity(pid=self.executor_pid, start_time=self.executor_start_time)

    @property
    def task(self) -> ProcIdentity:
        return ProcIdentity(pid=self.task_pid, start_time=self.task_start_time)


class ExitRecord(_Model):
    """`exit.json`: how the task ended, kept for an agent that was down at the time."""

    exit_code: int
    signal: int = 0
    oom_killed: bool = False
    err: str = ""
    finished_at_ns: int = 0


def read_exit(state_dir: Path) -> ExitRecord | None:
    try:
        return ExitRecord.model_validate_json((state_dir / "exit.json").read_bytes())
    except FileNotFoundError:
        return None
    except ValidationError as err:
        raise DriverError(f"unreadable exit record in {state_dir}: {err}") from err


def read_spec(state_dir: Path) -> ExecutorSpec | None:
    try:
        return ExecutorSpec.model_validate_json((state_dir / "spec.json").read_bytes())
    except FileNotFoundError:
        return None
    except ValidationError as err:
        raise DriverError(f"unreadable executor spec in {state_dir}: {err}") from err


def read_state(state_dir: Path) -> ExecutorState | None:
    try:
        return ExecutorState.model_validate_json((state_dir / "state.json").read_bytes())
    except FileNotFoundError:
        return None
    except ValidationError as err:
        raise DriverError(f"unreadable executor state in {state_dir}: {err}") from err


async def launch(python: str, state_dir: Path, spec: ExecutorSpec) -> ExecutorState:
    """Start an executor for `spec` and return once its task runs (or raise DriverError).
    Failing to write the state dir (a full disk) is a RecoverableDriverError."""
    pid, ready_fd = await asyncio.to_thread(_prepare_and_spawn, python, state_dir, spec)
    try:
        line = await asyncio.to_thread(_read_line, ready_fd, START_TIMEOUT_S)
    except TimeoutError:
        line = b'{"ok": false, "error": "executor did not start in time"}'
    except asyncio.CancelledError:
        # Nobody would ever learn of this task: take it down rather than leave an orphan.
        _kill_spawned(pid, state_dir)
        raise
    state, error = _parse_ready(line, state_dir)
    if state is None:
        await asyncio.to_thread(_abandon, pid)
        raise DriverError(error)
    return state


def _prepare_and_spawn(python: str, state_dir: Path, spec: ExecutorSpec) -> tuple[int, int]:
    """Blocking: lock the state dir, clear an earlier run's files, write the spec, spawn."""
    try:
        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock_fd = _lock(state_dir, LOCK_WAIT_S)
    except OSError as err:
        raise RecoverableDriverError(f"failed to prepare the executor's state dir: {err}") \
            from err
    try:
        for stale in ("exit.json", "state.json", "task.pid"):  # a restarted task reuses the directory
            (state_dir / stale).unlink(missing_ok=True)
        (state_dir / "spec.json").write_text(spec.model_dump_json())
        return _spawn(python, state_dir, lock_fd)
    except OSError as err:
        raise RecoverableDriverError(f"failed to write the executor's spec: {err}") from err
    finally:
        os.close(lock_fd)  # the executor holds the lock from here on


def _lock(state_dir: Path, wait_s: float) -> int:
    """The state dir's lock, taken; DriverError when an executor of it still runs."""
    fd = os.open(state_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise RecoverableDriverError(f"an executor of {state_dir} is still running") \
                    from None
            time.sleep(0.02)


def _spawn(python: str, state_dir: Path, lock_fd: int) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    out_fd = os.open(state_dir / "executor.out",
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
    try:
        pid = os.posix_spawnp(
            python, [python, "-I", "-S", str(EXECUTOR_PATH), str(state_dir)],
            {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
            file_actions=[(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                          (os.POSIX_SPAWN_DUP2, write_fd, 1),
                          (os.POSIX_SPAWN_DUP2, out_fd, 2),
                          (os.POSIX_SPAWN_DUP2, lock_fd, LOCK_FD)],
            # Ignored signals survive exec: reset them all so the task starts with defaults.
            setsid=True, setsigmask=(),
            setsigdef=signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP})
    except OSError as err:
        os.close(read_fd)
        raise DriverError(f"failed to start executor: {err}") from err
    finally:
        os.close(write_fd)
        os.close(out_fd)
    return pid, read_fd


def _read_line(fd: int, timeout_s: float) -> bytes:
    """The executor's one startup line (b"" if it died first); blocking, so run in a thread.
    Closes `fd`: it is this thread's until the end, even if its caller was cancelled."""
    deadline = time.monotonic() + timeout_s
    data = b""
    try:
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    return data


def _kill_spawned(pid: int, state_dir: Path) -> None:
    os.kill(pid, signal.SIGKILL)  # our unreaped child: the PID cannot have been reused
    os.waitpid(pid, 0)
    try:
        state = ExecutorState.model_validate_json((state_dir / "state.json").read_bytes())
    except (OSError, ValueError):
        return  # no task was started
    kill_group(state.task, signal.SIGKILL)


def _parse_ready(line: bytes, state_dir: Path) -> tuple[ExecutorState | None, str]:
    try:
        message = json.loads(line) if line else {"ok": False, "error": _tail(state_dir)}
        if message.get("ok") is True:
            return ExecutorState.model_validate(message["state"]), ""
    except (ValueError, AttributeError):
        message = {"error": f"executor said {line[:200]!r}"}
    return None, str(message.get("error") or "executor failed to start")


def _tail(state_dir: Path) -> str:
    try:
        lines = (state_dir / "executor.out").read_text(errors="replace").strip().splitlines()
    except OSError:
        lines = []
    return f"executor exited during start: {lines[-1] if lines else 'no output'}"


def _abandon(pid: int) -> None:
    """A failed executor exits by itself; make sure, and collect it."""
    deadline = time.monotonic() + 2.0
    while not reap_child(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return
        time.sleep(0.01)

