"""A driver harness around real processes: raw_exec tasks started through real executors.

Everything runs under `tmp_path`. At teardown every executor and task started under
it is found through its `state.json` and killed by PID (only if the PID still
belongs to that process), then collected.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from caravan.client.allocdir import AllocDir
from caravan.client.drivers.base import DriverContext, TaskConfig
from caravan.client.drivers.executor import proc
from caravan.client.drivers.executor.launcher import ExecutorState
from caravan.client.drivers.raw_exec.driver import RawExecDriver

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def wait_for(predicate: Callable[[], T], timeout_s: float = 10.0, what: str = "") -> T:
    """Poll until `predicate` is truthy; fail after the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.02)


def kill_all_started(root: Path) -> None:
    for path in root.rglob("state.json"):
        state = ExecutorState.model_validate_json(path.read_bytes())
        proc.kill_group(state.task, signal.SIGKILL)
        if proc.is_running(state.executor):
            os.kill(state.executor_pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while not proc.reap_child(state.executor_pid) and time.monotonic() < deadline:
            time.sleep(0.01)


class Harness:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.alloc_dir = root / "alloc-1"
        self.log_dir = self.alloc_dir / "alloc" / "logs"
        self.log_dir.mkdir(parents=True)

    def driver(self, **plugin: Any) -> RawExecDriver:
        return RawExecDriver({"enabled": True, **plugin},
                             DriverContext(executor_python=sys.executable))

    def config(self, name: str, script: str, **fields: Any) -> TaskConfig:
        """A task running `/bin/sh -c script`."""
        task_dir = self.alloc_dir / name
        (task_dir / "local").mkdir(parents=True, exist_ok=True)
        values: dict[str, Any] = dict(
            id=f"alloc-1/{name}", alloc_id="alloc-1", task_name=name,
            driver_config={"command": "/bin/sh", "args": ["-c", script]},
            env={"PATH": "/usr/bin:/bin", "GREETING": "hello"},
            alloc_dir=self.alloc_dir / "alloc", task_dir=task_dir,
            state_dir=self.root / "executor" / name,
            stdout_path=self.log_dir / f"{name}.stdout",
            stderr_path=self.log_dir / f"{name}.stderr")
        values.update(fields)
        return TaskConfig(**values)

    def log(self, name: str, stream: str = "stdout") -> bytes:
        files = sorted(self.log_dir.glob(f"{name}.{stream}.*"),
                       key=lambda p: int(p.name.rsplit(".", 1)[1]))
        return b"".join(p.read_bytes() for p in files)


@pytest.fixture
def reaper(tmp_path: Path) -> Iterator[Path]:
    """`tmp_path`, with every executor and task started under it killed at teardown, and
    every alloc dir built there destroyed (each is a mount of its own)."""
    try:
        yield tmp_path
    finally:
        kill_all_started(tmp_path)
        alloc_root = tmp_path / "alloc"
        for alloc_dir in alloc_root.iterdir() if alloc_root.is_dir() else []:
            AllocDir(alloc_root, alloc_dir.name).destroy()


@pytest.fixture
def harness(reaper: Path) -> Harness:
    return Harness(reaper)
