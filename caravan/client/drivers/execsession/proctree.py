"""Ending what an exec session started: the command's PID as a runtime recorded it, and
a SIGKILL to its whole process tree that never signals a PID somebody else now holds."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def kill_tree(root: int, parent: int) -> None:
    """SIGKILL `root` and its descendants, if `root` is still a child of `parent` (a PID
    that was reused is not). Best effort: a process forking right now may slip through."""
    parents = _parents()
    if parents.get(root) != parent:
        return
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    tree = [root]
    for pid in tree:
        tree.extend(children.get(pid, []))
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _parents() -> dict[int, int]:
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            # The command name may hold spaces and ')': fields start after the last ')'.
            parents[int(name)] = int(stat[stat.rindex(b")") + 2:].split()[1])
    return parents
