"""At client start: find what earlier runs left under the data dir that no allocation owns.

    live = tasks of saved allocations that are not dead and have a handle or launch intent
    <data_dir>/client/executor/<alloc>/<task>   an executor not in `live`: its task and the
                                                executor are killed (found by the lock and
                                                identities of its state dir), the dir removed
    <data_dir>/client/executor/<alloc>/<task>.debug-<session>
                                                an `alloc debug` copy's dir (never live: a copy
                                                ends with its session, and so with the agent)
    drivers' own leftovers                      exec: runc containers and cgroups, debug
                                                copies' (`<alloc>-<task>.debug-<session>`) too
    <data_dir>/alloc/<alloc>/<task>/...         mounts of tasks not in `live` (secrets tmpfs)

Runs once, before any task is restored, so it cannot race a recovery or a start.
Everything removed is returned (the client logs it).
"""

from __future__ import annotations

import asyncio
import shutil
import signal
from collections.abc import Iterable, Mapping
from pathlib import Path

from caravan.client.drivers.base import Driver
from caravan.client.drivers.exec.debug import DEBUG_MARK
from caravan.client.drivers.executor import proc
from caravan.client.drivers.executor.probe import probe
from caravan.client.drivers.mounts import mounts_under, unmount
from caravan.client.state import LocalAllocState
from caravan.errors import DriverError

TaskKey = tuple[str, str]  # (alloc ID, task name)


def live_tasks(saved: Iterable[LocalAllocState]) -> set[TaskKey]:
    """Tasks a restored alloc runner will re-attach to (or find the launch of)."""
    return {(s.alloc.id, name) for s in saved for name, t in s.tasks.items()
            if t.task_state.state != "dead" and (t.handle or t.launching) is not None}


async def remove_orphans(data_dir: Path, drivers: Mapping[str, Driver],
                         live: set[TaskKey]) -> list[str]:
    removed = await asyncio.to_thread(_stop_executors, data_dir / "client" / "executor", live)
    for driver in drivers.values():
        removed += await driver.remove_orphans(live)
    removed += await asyncio.to_thread(_unmount_orphans, data_dir / "alloc", live)
    return removed


def _stop_executors(root: Path, live: set[TaskKey]) -> list[str]:
    removed = []
    for state_dir in sorted(root.glob("*/*")) if root.is_dir() else []:
        key = (state_dir.parent.name, state_dir.name)
        if key in live or not state_dir.is_dir():
            continue
        # A task may be named like a debug copy's dir: its executor is looked for first.
        if _stop_executor(state_dir):
            removed.append(f"executor and task of {key[0]}/{key[1]}")
        elif DEBUG_MARK in key[1]:
            removed.append(f"debug copy dir {state_dir}")
        shutil.rmtree(state_dir, ignore_errors=True)
    for alloc_dir in root.iterdir() if root.is_dir() else []:
        if alloc_dir.is_dir() and not any(alloc_dir.iterdir()):
            alloc_dir.rmdir()
    return removed


def _stop_executor(state_dir: Path) -> bool:
    """Kill a live executor of `state_dir` and its task (each only if still the process
    recorded); True when something was running."""
    try:
        found = probe(state_dir)
    except DriverError:
        return False
    if found.outcome != "running" or found.state is None:
        return False
    proc.kill_group(found.state.task, signal.SIGKILL)
    proc.kill_group(found.state.executor, signal.SIGKILL)
    return True


def _unmount_orphans(alloc_root: Path, live: set[TaskKey]) -> list[str]:
    removed = []
    for point in mounts_under(alloc_root) if alloc_root.is_dir() else []:
        parts = point.relative_to(alloc_root).parts
        if len(parts) >= 2 and (parts[0], parts[1]) not in live:
            unmount(point)
            removed.append(f"mount {point}")
    return removed
