"""Killing an exec session's process tree while it forks: nothing it started survives."""

import asyncio
import os
import signal
import subprocess
import time
import uuid

from caravan.client.drivers.execsession.proctree import kill_tree


def _with_marker(marker: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(name))
            except OSError:
                continue
    return found


def test_a_tree_that_forks_while_it_is_killed_leaves_nothing_behind() -> None:
    # A unique duration marks every child this test forks (sleep takes a fraction).
    marker = f"3600.{uuid.uuid4().int % 10**9}"
    shell = subprocess.Popen(["/bin/sh", "-c", f"while :; do sleep {marker} & done"])
    try:
        deadline = time.monotonic() + 30
        while len(_with_marker(marker)) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        asyncio.run(kill_tree(shell.pid, parent=os.getpid()))
        assert shell.wait(timeout=10) == -signal.SIGKILL
        # Children killed while stopped are reaped by init; give that a moment.
        deadline = time.monotonic() + 10
        while (left := _with_marker(marker)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left == []
    finally:
        shell.kill()
        shell.wait()
        for pid in _with_marker(marker):
            os.kill(pid, signal.SIGKILL)


def test_a_pid_that_is_not_the_callers_child_is_left_alone() -> None:
    other = subprocess.Popen(["/bin/sleep", "60"])
    try:
        asyncio.run(kill_tree(other.pid, parent=os.getpid() + 1))
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()
