"""A debug copy is gone when its session ends, however it ends: the command exits, the
client goes away, or the agent is killed (the next start's orphan cleanup removes it)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection

from tests.agents import wait_until
from tests.crash import client_host
from tests.crash.client_agent import CrashAgent
from tests.integration.alloc_debug.conftest import (
    Allocs,
    crashed_job,
    debug,
    open_debug,
    read_until_exit,
    wait_failed,
)
from tests.integration.alloc_debug.host import debug_leftovers, memory_limit
from tests.integration.exec_driver.helpers import run

pytestmark = pytest.mark.integration

_MB = 1024 * 1024


def _wait_ready(ws: ClientConnection) -> None:
    out = b""
    while b"ready" not in out:
        frame = json.loads(ws.recv(timeout=60))
        assert not frame.get("exited"), frame
        out += base64.b64decode(frame.get("stdout", {}).get("data", "") or "")


def test_a_copy_that_exits_leaves_nothing(allocs: Allocs) -> None:
    alloc_id = allocs.crashed["ID"]
    assert debug(allocs.agent, alloc_id, ["/bin/sh", "-c", "echo bye"]) == ("ok", 0, "bye\n")
    # The exit frame comes after the copy is removed: nothing to wait for.
    assert debug_leftovers(allocs.agent.data_dir, alloc_id, "sleep 601") == []


def test_a_client_that_goes_away_takes_the_copy_with_it(allocs: Allocs) -> None:
    alloc_id, data_dir = allocs.crashed["ID"], allocs.agent.data_dir
    with open_debug(allocs.agent, alloc_id, ["/bin/sh", "-c", "echo ready; exec sleep 601"]) \
            as ws:
        _wait_ready(ws)
        # `ready` comes just before the shell execs sleep.
        held = wait_until(lambda: (found := debug_leftovers(data_dir, alloc_id, "sleep 601"))
                          and any(i.startswith("process") for i in found) and found, 30,
                          what="the copy's sleep")
        kinds = sorted({item.split()[0] for item in held})
        assert kinds == ["cgroup", "container", "dir", "process"], held
        cid = next(item.split()[1] for item in held if item.startswith("container"))
        assert memory_limit(cid) == 64 * _MB  # the task's own limit
    wait_until(lambda: not debug_leftovers(data_dir, alloc_id, "sleep 601"), 30,
               what="the debug copy removed")


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[CrashAgent]:
    agent = CrashAgent(root=tmp_path, name="client")
    try:
        yield agent
    finally:
        ids = {p.name for p in (agent.data_dir / "alloc").glob("*")}
        agent.kill()
        client_host.clean_up(agent.data_dir, ids, "sleep 602")


def test_an_agent_killed_mid_session_removes_the_copy_when_it_starts_again(
        restartable: CrashAgent) -> None:
    agent = restartable.start()
    alloc = run(agent, crashed_job("crashed"))
    wait_failed(agent, alloc)
    alloc_id, data_dir = alloc["ID"], agent.data_dir
    with open_debug(agent, alloc_id, ["/bin/sh", "-c", "echo ready; exec sleep 602"]) as ws:
        _wait_ready(ws)
        agent.kill()
    held = debug_leftovers(data_dir, alloc_id, "sleep 602")
    assert any(item.startswith("container") for item in held), held
    agent.start()
    wait_until(lambda: not debug_leftovers(data_dir, alloc_id, "sleep 602"), 60,
               what="the orphaned debug copy removed")
    # each part is named as removed (the line may follow the removal by a moment)
    wait_until(lambda: "removed debug copy " in (logs := agent.logs())
               and "removed debug copy dir " in logs, 30, what="the removals logged")
    # What the copy is made from survives the restart: the task can still be copied.
    with open_debug(agent, alloc_id, ["/bin/cat", "/local/crash.txt"]) as ws:
        ws.send(json.dumps({"stdin": {"close": True}}))
        assert read_until_exit(ws) == (0, f"left-by-{alloc_id}\n")

