"""caravan's per-task executor: one small process that owns one task process and its stdio.

Run as `python3 -I -S executor.py <state_dir>` in its own session, it outlives the
agent that started it (even a SIGKILLed one). Standard library only, no asyncio, so
a running task costs caravan about 11 MiB. It knows nothing of drivers: argv may be
the task's command (raw_exec) or `runc run ...` (exec). It imports nothing of caravan,
so it starts the task with `subprocess.Popen` rather than `caravan.process`; its
`stop` op follows the same sequence (signal, grace period, SIGKILL, reap).

Files in <state_dir> (the executor chdirs there, so socket paths stay short):
    spec.json       from the agent: argv, env, cwd, uid, gid, groups, stdout_path,
                    stderr_path (log base paths, or null to discard), max_files, max_file_size,
                    pid_file (see "Detached tasks")
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
Detached tasks (exec): with `pid_file` set, argv is a launcher such as `runc run --detach
--pid-file <pid_file>` that starts the task and exits, leaving the task's PID in that
file. The executor makes itself a child subreaper first (as containerd's shim does), so
the task, orphaned by its launcher, becomes our child: we reap it and keep its stdio,
and no launcher stays in the foreground. A launcher that fails counts as a task that
ran and exited with the launcher's code (its message is in the task's stderr log).
Startup: one JSON line on stdout, {"ok": true, "state": {...}} or {"ok": false, "error": "..."}.
Requests: {"op": "state"}, {"op": "signal", "signal": N}, {"op": "wait"},
          {"op": "stop", "signal": N, "timeout": seconds};
          detached executors also {"op": "exec", "argv": [...], "env": {...}, "pid_file": P}
          with the session's stdin, stdout, stderr passed along (SCM_RIGHTS): an exec
          session's command started by a detached launcher (`runc exec --detach`), which
          we reap; two replies, {"started": true, "pid": N} then {"exit_code": N}, or one,
          {"started": false, "exit_code": N}, when the launcher failed.
"""

from __future__ import annotations

import _thread
import os
import sys
import time

# Annotations only (they are never evaluated): importing typing would cost every task's
# executor several milliseconds of start-up. `subprocess` (about 1 MiB) is imported only
# by executors that start the task themselves (raw_exec), not by detached ones (exec);
# json, socket and threading are replaced by lean.py (see there why).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from types import ModuleType
    from typing import Any

    from subprocess import Popen

    from caravan.client.beneath import Root
else:
    import _signal as signal  # its constants without the enums `signal` builds

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
    lean.write_file_atomic(path, lean.dumps(obj))


def log_index(name: str, prefix: str) -> int | None:
    """`web.stdout.3` with prefix `web.stdout.` -> 3; anything else -> None."""
    suffix = name[len(prefix):] if name.startswith(prefix) else ""
    return int(suffix) if suffix.isdigit() else None


_loaded: dict[str, Any] = {}


def load_beside(name: str, relative: str) -> Any:
    """A caravan module loaded from its file, relative to this one. Under `python3 -I -S`
    neither the caravan package nor site-packages is importable, and these modules need
    only the standard library; loading them beside this file keeps them from one tree.
    The source loader (already in the interpreter, frozen) reuses cached bytecode:
    compiling in every executor would cost each task about 1.5 MiB more."""
    if name not in _loaded:
        import _frozen_importlib_external  # loaded at start-up: free

        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), relative)
        loader = _frozen_importlib_external.SourceFileLoader(name, os.path.normpath(path))
        module: ModuleType = type(sys)(name)
        module.__file__ = loader.path
        loader.exec_module(module)
        _loaded[name] = module
    return _loaded[name]


def beneath() -> Any:
    return load_beside("caravan_beneath", "../../beneath.py")


if TYPE_CHECKING:
    from caravan.client.drivers.executor import lean, subreaper
else:
    lean = load_beside("caravan_lean", "lean.py")
    subreaper = load_beside("caravan_subreaper", "subreaper.py")


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
        self.done = lean.Flag()
        self.result: dict[str, Any] = {}
        self.reaped = False
        self.relays: list[lean.Flag] = []
        self.task_pid = 0
        self.proc: Popen[bytes] | None = None  # the task, when we started it ourselves
        self.launcher_exit: int | None = None  # a detached launcher that failed
        self.reaper: subreaper.Reaper | None = None  # detached: reaps every child

    def spawn(self) -> dict[str, Any]:
        sinks = [self._sink(self.spec.get(key)) for key in ("stdout_path", "stderr_path")]
        outputs = [write_end for write_end, _ in sinks]
        if self.spec.get("pid_file"):
            self.task_pid, start_time = self._spawn_detached(outputs)
        else:
            self.proc = self._spawn_child(outputs)
            self.task_pid, start_time = self.proc.pid, proc_start_time(self.proc.pid)
        for write_end, relay_args in sinks:
            if write_end is not None and relay_args is not None:
                os.close(write_end)  # only the task keeps the write end: EOF once it is gone
                self.relays.append(lean.start_thread(relay, *relay_args))
        state = {"executor_pid": os.getpid(), "executor_start_time": proc_start_time(os.getpid()),
                 "task_pid": self.task_pid, "task_start_time": start_time or 0,
                 "started_at_ns": time.time_ns()}
        lean.start_thread(self._wait_task)
        return state

    def _spawn_child(self, outputs: list[int | None]) -> Popen[bytes]:
        import subprocess

        spec = self.spec
        out, err = (subprocess.DEVNULL if fd is None else fd for fd in outputs)
        return subprocess.Popen(
            spec["argv"], env=spec["env"], cwd=spec.get("cwd") or None,
            stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            user=spec.get("uid"), group=spec.get("gid"), extra_groups=spec.get("groups"),
            start_new_session=True, close_fds=True)

    def _spawn_detached(self, outputs: list[int | None]) -> tuple[int, int | None]:
        """Run the launcher to its end; the task's PID and start time. The launcher runs
        as we do (root, our directory): argv and pid_file come from the agent alone."""
        subreaper.become_subreaper()
        self.reaper = reaper = subreaper.Reaper(lean)
        actions: list[tuple[Any, ...]] = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)]
        for target, fd in enumerate(outputs, start=1):
            actions.append((os.POSIX_SPAWN_OPEN, target, "/dev/null", os.O_WRONLY, 0)
                           if fd is None else (os.POSIX_SPAWN_DUP2, fd, target))
        launcher = reaper.spawn(self.spec["argv"], self.spec["env"], actions)
        start_time = proc_start_time(launcher)
        code = reaper.wait(launcher)
        if code != 0:
            self.launcher_exit, self.reaped = code, True
            return launcher, start_time
        pid = read_pid(self.spec["pid_file"])
        # The task is our child now (or our zombie, or already reaped and kept).
        reaper.expect(pid)
        return pid, proc_start_time(pid)

    def run_session(self, conn: lean.Socket, request: dict[str, Any], fds: list[int]) -> None:
        """An exec session's command started detached (`runc exec --detach`) on the
        agent's three stdio fds; replies: how the start went, then the command's exit.
        Only we can collect that exit: the command is orphaned to us, its subreaper."""
        try:
            if self.reaper is None or len(fds) != 3 or self.done.is_set():
                raise ValueError("exec sessions need a running detached task and 3 fds")
            actions = [(os.POSIX_SPAWN_DUP2, fd, target) for target, fd in enumerate(fds)]
            launcher = self.reaper.spawn(request["argv"], request["env"], actions)
        finally:
            for fd in fds:
                os.close(fd)  # the launcher has its copies: EOF reaches the agent with them
        code = self.reaper.wait(launcher)
        if code != 0:
            send_reply(conn, {"ok": True, "started": False, "exit_code": code})
            return
        pid = read_pid(request["pid_file"])
        self.reaper.expect(pid)
        send_reply(conn, {"ok": True, "started": True, "pid": pid})
        send_reply(conn, {"ok": True, "exit_code": self.reaper.wait(pid)})

    def _sink(self, base_path: str | None) -> tuple[int | None, tuple[int, Rotator] | None]:
        """What the task's stdout/stderr is bound to (None: /dev/null), and what relays it
        into files."""
        if not base_path:
            return None, None
        rotator = Rotator(base_path, self.spec.get("max_files", 10),
                          self.spec.get("max_file_size", 10 * 1024 * 1024))
        read_end, write_end = os.pipe()
        return write_end, (read_end, rotator)

    def _wait_task(self) -> None:
        result = self._reap()
        self.reaped = True
        try:
            self._finish(result)
        finally:
            # Whatever went wrong above, waiters get their answer and we exit.
            self.result = result
            self.done.set()
            _wake_listener()

    def _reap(self) -> dict[str, Any]:
        if self.proc is not None:
            return exit_result(self.proc.wait())
        if self.launcher_exit is not None or self.reaper is None:
            return exit_result(self.launcher_exit or 0)  # (no reaper: the launcher failed)
        return exit_result(self.reaper.wait(self.task_pid))

    def _finish(self, result: dict[str, Any]) -> None:
        # The task is gone; members left in its process group would outlive us unowned.
        try:
            os.killpg(self.task_pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for finished in self.relays:
            finished.wait(DRAIN_WAIT_S)
        try:
            write_json_atomic("exit.json", dict(result, finished_at_ns=time.time_ns()))
        except OSError as err:
            print(f"executor: cannot record the exit: {err}", file=sys.stderr, flush=True)

    def signal_group(self, sig: int) -> None:
        if not self.reaped:
            os.killpg(self.task_pid, sig)

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
        lean.connect_unix(SOCKET_NAME).close()
    except OSError:
        pass


def read_pid(path: str) -> int:
    with open(path) as f:
        return int(f.read().strip())


def send_reply(conn: lean.Socket, reply: dict[str, Any]) -> None:
    conn.sendall(lean.dumps(reply).encode() + b"\n")


def serve_connection(conn: lean.Socket, executor: Executor,
                     state: dict[str, Any]) -> None:
    fds: list[int] = []  # passed with an `exec` request (SCM_RIGHTS)
    try:
        for line in lean.read_lines(conn, fds):
            try:
                request = lean.loads(line)
                if request.get("op") == "exec":
                    taken, fds[:] = fds[:], []
                    executor.run_session(conn, request, taken)
                    return
                reply = executor.handle(request, state)
            except (ValueError, KeyError, TypeError, AttributeError, OSError) as err:
                reply = {"ok": False, "error": str(err)}
            send_reply(conn, reply)
    except OSError:
        return  # the agent went away: nothing to tell it
    finally:
        for fd in fds:
            os.close(fd)
        conn.close()


def serve(listener: lean.Socket, executor: Executor, state: dict[str, Any]) -> None:
    served: list[tuple[lean.Socket, lean.Flag]] = []
    listener.settimeout(1.0)  # a fallback: the exit normally wakes accept() at once
    while True:
        try:
            conn = lean.accept(listener)
        except TimeoutError:
            if executor.done.is_set():
                break
            continue
        if executor.done.is_set():
            conn.close()
            break
        served = [(c, finished) for c, finished in served if not finished.is_set()]
        served.append((conn, lean.start_thread(serve_connection, conn, executor, state)))
    listener.close()
    try:
        os.unlink(SOCKET_NAME)
    except FileNotFoundError:
        pass  # the agent may already have removed the state dir
    for conn, finished in served:
        # Idle readers see EOF; a waiter still gets its reply before we exit.
        try:
            conn.shutdown(lean.SHUT_RD)
        except OSError:
            pass
        finished.wait(1.0)


def listen() -> lean.Socket:
    if os.path.exists(SOCKET_NAME):
        os.unlink(SOCKET_NAME)
    listener = lean.Socket(lean.AF_UNIX, lean.SOCK_STREAM)
    listener.bind(SOCKET_NAME)
    listener.listen(256)  # many exec sessions may open at once
    return listener


def report(message: dict[str, Any]) -> None:
    """Tell the agent how the start went. An agent that died meanwhile is not our
    problem: the task must keep its executor, and state.json tells the next agent."""
    try:
        sys.stdout.write(lean.dumps(message) + "\n")
        sys.stdout.flush()
    except OSError:
        pass


def spawn_errors() -> tuple[type[Exception], ...]:
    """What a failed start raises: subprocess's own errors only once it is imported."""
    sub = sys.modules.get("subprocess")
    return (OSError, ValueError) if sub is None else (OSError, ValueError, sub.SubprocessError)


def main(argv: list[str]) -> int:
    _thread.stack_size(256 * 1024)
    try:
        os.set_inheritable(3, False)  # the lock is ours alone: no task or launcher inherits it
    except OSError:
        pass  # started without a lock (by hand)
    os.chdir(argv[1])
    try:
        with open("spec.json") as f:
            executor = Executor(lean.loads(f.read()))
        listener = listen()
    except (OSError, ValueError, KeyError) as err:
        report({"ok": False, "error": f"executor: {err}"})
        return 1
    try:
        state = executor.spawn()
    except spawn_errors() as err:
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
