"""The last line of defence: find and stop what tests leaked under their temp dir.

Executors are found through their state files and stopped by PID only after the
process is confirmed to be that executor (its command line names the state dir).
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from caravan.client.drivers.mounts import mounts_under, unmount


def clean_leaks(base: Path) -> list[str]:
    leaked: list[str] = []
    for state in base.rglob("state.json"):
        try:
            info = json.loads(state.read_text())
        except (OSError, ValueError):
            continue
        for key in ("executor_pid", "task_pid"):
            pid = info.get(key)
            if isinstance(pid, int) and _cmdline_mentions(pid, state.parent, key):
                leaked.append(f"{key} {pid} ({state.parent})")
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
    for point in mounts_under(base):
        leaked.append(f"mount {point}")
        unmount(point)
    return leaked


def _cmdline_mentions(pid: int, state_dir: Path, key: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    if key == "executor_pid":
        return str(state_dir) in cmdline
    # A task's command line is its own; its parent must be the executor of this state dir.
    try:
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return False
    return _cmdline_mentions(ppid, state_dir, "executor_pid")
