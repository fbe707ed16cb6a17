"""Ending what an exec session started: the command's PID as a runtime recorded it, and
a SIGKILL to its whole process tree that never signals a PID somebody else now holds.

A tree is frozen before it is killed. Killing from one snapshot of /proc loses a child
forked just after the snapshot: its parent dies, the child is re-parented to the task's
init and runs on forever. A stopped process forks no more, so the tree is stopped
(SIGSTOP) level by level until a fresh snapshot shows nothing new, then killed."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

# How long one process may take to reach the stopped state (one in uninterruptible
# sleep stops only when the kernel call returns) before the tree is killed anyway.
_STOP_WAIT_S = 0.5
# A tree that keeps growing this many rounds is a fork bomb racing us: kill what we have.
_MAX_ROUNDS = 64


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


async def kill_tree(root: int, parent: int) -> None:
    """SIGKILL `root` and its descendants, if `root` is still a child of `parent` (a PID
    that was reused is not)."""
    parents = _parents()
    if parents.get(root, (0, ""))[0] != parent:
        return
    stopped: list[int] = []
    for _ in range(_MAX_ROUNDS):
        fresh = [pid for pid in _tree(root, parents) if pid not in stopped]
        if not fresh:
            break
        for pid in fresh:
            _signal(pid, signal.SIGSTOP)
        stopped.extend(fresh)
        await _until_stopped(fresh)
        # A scan of its own, begun after all are stopped: the scan that saw them stop listed
        # /proc before reading their states, and may miss a child forked in between.
        parents = _parents()
    for pid in stopped:
        _signal(pid, signal.SIGKILL)


def _tree(root: int, parents: dict[int, tuple[int, str]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in parents.items():
        children.setdefault(ppid, []).append(pid)
    tree = [root]
    for pid in tree:
        tree.extend(children.get(pid, []))
    return tree


async def _until_stopped(pids: list[int]) -> None:
    """Wait until each process is stopped or gone: only then are all the children it
    forked visible in /proc."""
    deadline = time.monotonic() + _STOP_WAIT_S
    waiting = list(pids)
    while waiting and time.monotonic() < deadline:
        states = _parents()
        waiting = [pid for pid in waiting if states.get(pid, (0, "T"))[1] not in "TtZX"]
        if waiting:
            await asyncio.sleep(0.002)


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _parents() -> dict[int, tuple[int, str]]:
    """Every process's parent PID and state letter."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            # The command name may hold spaces and ')': fields start after the last ')'.
            state, ppid = stat[stat.rindex(b")") + 2:].split()[:2]
            parents[int(name)] = (int(ppid), state.decode())
    return parents
