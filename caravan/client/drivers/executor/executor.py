"""caravan's per-task executor: one small process that owns one task process and its stdio.

Run as `python3 -I -S executor.py <state_dir>` in its own session, it outlives the
agent that started it (even a SIGKILLed one). Standard library only, no asyncio, so
a running task costs caravan about 11 MiB. It knows nothing of drivers: argv may be
the task's command (raw_exec) or `runc run ...` (exec). It imports nothing of caravan,
so it starts the task with `subprocess.Popen` rather than `caravan.process`; its
`stop` op follows the same sequence (signal, grace period, SIGKILL, reap).

Files in <state_dir> (the executor chdirs there, so socket paths stay short):
    spec.json       from the agent: argv, env, cwd, uid, gid, groups, stdout_path,
                    stderr_path (log base paths, or null to discard), max_files, max_file_size
    state.json      written once the task runs: both PIDs and start times (identity)
    executor.sock   unix socket; one JSON request per line, one JSON reply per line
    exit.json       written atomically when the task has exited, before any reply
    executor.lock   flock'ed by the agent before it spawns us and inherited as fd 3, which
                    we never close: the lock is held exactly as long as we live, so a
                    restarted agent knows whether an executor of this dir still runs
                    without trusting a PID
Log files are written through caravan/client/beneath.py, loaded from its source file
(this process has no caravan package): tasks can write the logs dir, so no file there
is ever opened through a link, and a link, FIFO or hard link planted under the next
file's name is replaced, never written through. Paths are trusted up to the alloc dir
(the log dir's grandparent), which no task can change.
Startup: one JSON line on stdout, {"ok": true, "state": {...}} or {"ok": false, "error": "..."}.
Requests: {"op": "state"}, {"op": "signal", "signal": N}, {"op": "wait"},
          {"op": "stop", "signal": N, "timeout": seconds}.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import types

# Annotations only (they are never evaluated): importing typing would cost every task's
# executor several milliseconds of start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from caravan.client.beneath import Root

SOCKET_NAME = "executor.sock"
KILL_WAIT_S = 15.0  # after SIGKILL, as Nomad: "process failed to exit after 15 seconds"
DRAIN_WAIT_S = 2.0  # how long output relays may lag behind the task's exit


def proc_start_time(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat (clock ticks after boot): with the PID, a process identity."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    return int(data[data.rindex(b")") + 2:].split()[19])


def write_json_atomic(path: str, obj: dict[str, Any]) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def log_index(name: str, prefix: str) -> int | None:
    """`web.stdout.3` with prefix `web.stdout.` -> 3; anything else -> None."""
    suffix = name[len(prefix):] if name.startswith(prefix) else ""
    return int(suffix) if suffix.isdigit() else None


@functools.cache
def beneath() -> Any:
    """caravan/client/beneath.py, loaded from its file. Under `python3 -I -S` neither the
    caravan package nor site-packages is importable, and that module needs only the
    standard library; loading it beside this file keeps the pair from one tree. The
    source loader reuses its cached bytecode: compiling in every executor would cost
    each task about 1.5 MiB more."""
    import importlib.machinery  # frozen into the interpreter: cheap

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                        "beneath.py")
    loader = importlib.machinery.SourceFileLoader("caravan_beneath", os.path.normpath(path))
    module = types.ModuleType(loader.name)
    module.__file__ = loader.path
    loader.exec_module(module)
    return module


def open_log_dir(directory: str) -> Root:
    """The log dir, reached from the alloc dir (its grandparent) without following links.
    Two components: the O_NOFOLLOW walk spares this process ctypes (about 1 MiB)."""
    parent, logs = os.path.split(os.path.normpath(directory))
    alloc_dir, shared = os.path.split(parent)
    with beneath().Root.open(alloc_dir, openat2=False) as alloc:
        root: Root = alloc.opendir(f"{shared}/{logs}")
    return root


def existing_indexes(root: Root, prefix: str) -> list[int]:
    found = (log_index(n, prefix) for n in root.listdir())
    return sorted(i for i in found if i is not None)


def expired_indexes(indexes: list[int], current: int, max_files: int) -> list[int]:
    """Indexes to delete so that the newest `max_files` files (ending at `current`) remain."""
    return [i for i in indexes if i <= current - max_files]


class Rotator:
    """Writes a stream into `<base>.0`, `<base>.1`, ...; a new file once one reaches max_size."""

    def __init__(self, base_path: str, max_files: int, max_size: int) -> None:
        directory, name = os.path.split(base_path)
        self.root = open_log_dir(directory)
        self.prefix = name + "."
        self.max_files = max(1, max_files)
        self.max_size = max(1, max_size)
        # After a restart, continue in the highest existing file.
        self.index = max(existing_indexes(self.root, self.prefix), default=0)
        self.fd, self.size = self._open()

    def _open(self) -> tuple[int, int]:
        name = f"{self.prefix}{self.index}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        try:
            fd = self.root.open_file(name, flags, 0o644)
        except beneath().PathRefused:
            # Not a file we made: a task put a link, FIFO or hard link here. Replace it.
            self.root.unlink(name)
            fd = self.root.open_file(name, flags | os.O_EXCL, 0o644)
        return fd, os.fstat(fd).st_size

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self.size >= self.max_size:
                self._rotate()
            written = os.write(self.fd, view[: self.max_size - self.size])
            self.size += written
            view = view[written:]

    def _rotate(self) -> None:
        os.close(self.fd)
        self.index += 1
        self.fd, self.size = self._open()
        for old in expired_indexes(existing_indexes(self.root, self.prefix),
                                   self.index, self.max_files):
            try:
                self.root.unlink(f"{self.prefix}{old}")
            except FileNotFoundError:
                pass

    def close(self) -> None:
        os.close(self.fd)
        self.root.close()


def relay(fd: int, sink: Rotator | None) -> None:
    """Copy a task pipe into its rotating files until EOF; never block the task on errors."""
    while chunk := os.read(fd, 65536):
        if sink is None:
            continue
        try:
            sink.write(chunk)
        except OSError as err:
            print(f"executor: log write failed: {err}", file=sys.stderr, flush=True)
    os.close(fd)
    if sink is not None:
        sink.close()


def exit_result(returncode: int) -> dict[str, Any]:
    """Nomad's convention: killed by signal N gives exit code 128+N and Signal N."""
    sig = -returncode if returncode < 0 else 0
    code = 128 + sig if sig else returncode
    return {"exit_code": code, "signal": sig, "oom_killed": False, "err": ""}


class Executor:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.done = threading.Event()
        self.result: dict[str, Any] = {}
        self.reaped = False
        self.relays: list[threading.Thread] = []

    def spawn(self) -> dict[str, Any]:
        spec = self.spec
        sinks = [self._sink(spec.get(key)) for key in ("stdout_path", "stderr_path")]
        self.proc = subprocess.Popen(
            spec["argv"], env=spec["env"], cwd=spec.get("cwd") or None,
            stdin=subprocess.DEVNULL, stdout=sinks[0][0], stderr=sinks[1][0],
            user=spec.get("uid"), group=spec.get("gid"), extra_groups=spec.get("groups"),
            start_new_session=True, close_fds=True)
        for write_end, relay_args in sinks:
            if relay_args is not None:
                os.close(write_end)  # only the task keeps the write end: EOF once it is gone
                thread = threading.Thread(target=relay, args=relay_args, daemon=True)
                thread.start()
                self.relays.append(thread)
        state = {"executor_pid": os.getpid(), "executor_start_time": proc_start_time(os.getpid()),
                 "task_pid": self.proc.pid, "task_start_time": proc_start_time(self.proc.pid),
                 "started_at_ns": time.time_ns()}
        threading.Thread(target=self._wait_task, daemon=True).start()
        return state

    def _sink(self, base_path: str | None) -> tuple[int, tuple[int, Rotator] | None]:
        """What the task's stdout/stderr is bound to, and what relays it into files."""
        if not base_path:
            return subprocess.DEVNULL, None
        rotator = Rotator(base_path, self.spec.get("max_files", 10),
                          self.spec.get("max_file_size", 10 * 1024 * 1024))
        read_end, write_end = os.pipe()
        return write_end, (read_end, rotator)

    def _wait_task(self) -> None:
        returncode = self.proc.wait()
        self.reaped = True
        result = exit_result(returncode)
        try:
            self._finish(result)
        finally:
            # Whatever went wrong above, waiters get their answer and we exit.
            self.result = result
            self.done.set()
            _wake_listener()

    def _finish(self, result: dict[str, Any]) -> None:
        # The task is gone; members left in its process group would outlive us unowned.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for thread in self.relays:
            thread.join(DRAIN_WAIT_S)
        try:
            write_json_atomic("exit.json", dict(result, finished_at_ns=time.time_ns()))
        except OSError as err:
            print(f"executor: cannot record the exit: {err}", file=sys.stderr, flush=True)

    def signal_group(self, sig: int) -> None:
        if not self.reaped:
            os.killpg(self.proc.pid, sig)

    def stop(self, sig: int, timeout: float) -> dict[str, Any]:
        if not self.done.is_set() and timeout > 0 and sig != signal.SIGKILL:
            self.signal_group(sig)
            self.done.wait(timeout)
        if not self.done.is_set():
            self.signal_group(signal.SIGKILL)
            self.done.wait(KILL_WAIT_S)
        if not self.done.is_set():
            return {"ok": False, "error": f"process failed to exit after {KILL_WAIT_S:.0f} seconds"}
        return {"ok": True, "result": self.result}

    def handle(self, request: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        if op == "state":
            return {"ok": True, "state": state, "exited": self.done.is_set()}
        if op == "wait":
            self.done.wait()
            return {"ok": True, "result": self.result}
        if op == "stop":
            return self.stop(int(request.get("signal", signal.SIGINT)),
                             float(request.get("timeout", 5.0)))
        if op == "signal":
            if self.done.is_set():
                return {"ok": False, "error": "task has already exited"}
            self.signal_group(int(request["signal"]))
            return {"ok": True}
        return {"ok": False, "error": f"unknown request {op!r}"}


def _wake_listener() -> None:
    """Unblock accept() in the main thread so it notices the task has exited."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(SOCKET_NAME)
    except OSError:
        pass


def serve_connection(conn: socket.socket, executor: Executor, state: dict[str, Any]) -> None:
    with conn, conn.makefile("rb") as lines:
        for line in lines:
            try:
                reply = executor.handle(json.loads(line), state)
            except (ValueError, KeyError, OSError) as err:
                reply = {"ok": False, "error": str(err)}
            try:
                conn.sendall(json.dumps(reply).encode() + b"\n")
            except OSError:
                return  # the agent went away: nothing to tell it


def serve(listener: socket.socket, executor: Executor, state: dict[str, Any]) -> None:
    served: list[tuple[socket.socket, threading.Thread]] = []
    listener.settimeout(1.0)  # a fallback: the exit normally wakes accept() at once
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if executor.done.is_set():
                break
            continue
        if executor.done.is_set():
            conn.close()
            break
        thread = threading.Thread(target=serve_connection, args=(conn, executor, state),
                                  daemon=True)
        thread.start()
        served.append((conn, thread))
    listener.close()
    try:
        os.unlink(SOCKET_NAME)
    except FileNotFoundError:
        pass  # the agent may already have removed the state dir
    for conn, thread in served:
        # Idle readers see EOF; a waiter still gets its reply before we exit.
        try:
            conn.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        thread.join(1.0)


def listen() -> socket.socket:
    if os.path.exists(SOCKET_NAME):
        os.unlink(SOCKET_NAME)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(SOCKET_NAME)
    listener.listen(16)
    return listener


def report(message: dict[str, Any]) -> None:
    """Tell the agent how the start went. An agent that died meanwhile is not our
    problem: the task must keep its executor, and state.json tells the next agent."""
    try:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()
    except OSError:
        pass


def main(argv: list[str]) -> int:
    threading.stack_size(256 * 1024)
    os.chdir(argv[1])
    try:
        with open("spec.json") as f:
            executor = Executor(json.load(f))
        listener = listen()
    except (OSError, ValueError, KeyError) as err:
        report({"ok": False, "error": f"executor: {err}"})
        return 1
    try:
        state = executor.spawn()
    except (OSError, subprocess.SubprocessError) as err:
        # Go's wording, which Nomad users see: "fork/exec /x: permission denied".
        reason = err.strerror.lower() if isinstance(err, OSError) and err.strerror else str(err)
        report({"ok": False, "error": f"fork/exec {executor.spec['argv'][0]}: {reason}"})
        return 1
    try:
        write_json_atomic("state.json", state)
    except OSError as err:
        # Without state.json no agent could ever find this task again: do not run it.
        executor.stop(signal.SIGKILL, 0)
        report({"ok": False, "error": f"executor: cannot record the task's identity: {err}"})
        return 1
    report({"ok": True, "state": state})
    os.dup2(2, 1)  # release the agent's pipe: from now on stdout goes to executor.out
    serve(listener, executor, state)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
