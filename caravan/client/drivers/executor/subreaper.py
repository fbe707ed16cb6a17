"""The executor as child subreaper: launchers spawned, every child reaped, each exit handed
to whoever waits for that PID.

A detached task (`runc run --detach`) and a detached exec session's command (`runc exec
--detach`) are orphaned by their launcher and reparented to us, as are orphans of the
task's own processes. One thread reaps them all with `waitpid(-1)`; nobody else may
call waitpid, or an exit would be lost. Launchers are spawned and registered under the
lock the reaper takes to hand out an exit, so a launcher that ends at once is still
claimed. A detached process is named by its launcher only after the launcher's end (its
PID file): its exit may come first and is kept, unclaimed, until it is asked for.

Loaded by executor.py from this file like lean.py; standard library only.
"""

from __future__ import annotations

import _thread
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from caravan.client.drivers.executor import lean as lean_t

if TYPE_CHECKING:
    import signal as _signal
else:
    import _signal  # `signal` would import enum

# Python ignores these; ignored signals survive exec, so the launcher gets defaults.
_RESET_SIGNALS = (_signal.SIGPIPE, _signal.SIGXFSZ)

PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>
_UNCLAIMED_MAX = 4096  # exits nobody asked for (the task's orphans) are forgotten past this
_NO_CHILD_POLL_S = 0.05


def become_subreaper() -> None:
    """Orphaned descendants are reparented to us rather than to init."""
    import ctypes  # only detached executors pay for it (about 0.4 MiB)

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


class Reaper:
    def __init__(self, lean: Any) -> None:
        self._lean = lean
        self._lock = _thread.allocate_lock()
        self._waiting: dict[int, tuple[lean_t.Flag, list[int]]] = {}
        self._unclaimed: dict[int, int] = {}  # PID -> wait status
        self._running = False

    def spawn(self, argv: list[str], env: dict[str, str],
              actions: list[tuple[Any, ...]]) -> int:
        """posix_spawn a launcher in its own session, signals reset; its PID, expected."""
        with self._lock:
            pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsid=True,
                                  setsigdef=_RESET_SIGNALS)
            self._unclaimed.pop(pid, None)  # an earlier process's exit under a reused PID
            self._expect(pid)
        if not self._running:
            self._running = True
            self._lean.start_thread(self._run)
        return pid

    def expect(self, pid: int) -> None:
        """Keep `pid`'s exit for `wait`, even if it has already been reaped."""
        with self._lock:
            self._expect(pid)

    def _expect(self, pid: int) -> None:
        if pid in self._waiting:
            return
        done, status = self._lean.Flag(), []
        if pid in self._unclaimed:
            status.append(self._unclaimed.pop(pid))
            done.set()
        self._waiting[pid] = (done, status)

    def wait(self, pid: int) -> int:
        """The exit code (as `subprocess`: -N for signal N) of an expected PID, once it
        has exited."""
        done, status = self._waiting[pid]
        done.wait()
        with self._lock:
            self._waiting.pop(pid, None)
        return os.waitstatus_to_exitcode(status[0])

    def _run(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                # No child right now; a new launcher or an orphan may come.
                time.sleep(_NO_CHILD_POLL_S)
                continue
            with self._lock:
                waiter = self._waiting.get(pid)
                if waiter is None:
                    if len(self._unclaimed) >= _UNCLAIMED_MAX:
                        self._unclaimed.pop(next(iter(self._unclaimed)))
                    self._unclaimed[pid] = status
                    continue
                waiter[1].append(status)
                waiter[0].set()

