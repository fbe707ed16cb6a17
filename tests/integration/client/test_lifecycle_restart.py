"""Lifecycle order across an agent killed with SIGKILL while a prestart task runs: the
restarted agent re-attaches to the prestart task, starts the main task once, after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.integration.lifecycle.test_task_order import _at, _job, _state, _task

pytestmark = pytest.mark.integration


@pytest.fixture
def agent(reaper: Path) -> Iterator[AgentProcess]:
    agent = AgentProcess(root=reaper, name="agent", dev=False)  # -dev destroys allocs on stop
    try:
        yield agent.start()
    finally:
        agent.stop(timeout_s=3.0)


def _alloc(agent: AgentProcess) -> dict[str, Any]:
    stubs = httpx.get(f"{agent.address}/v1/job/resume/allocations", timeout=10).json()
    alloc: dict[str, Any] = httpx.get(f"{agent.address}/v1/allocation/{stubs[0]['ID']}",
                                      timeout=10).json()
    return alloc


def test_prestart_survives_an_agent_kill_and_main_starts_once_after_it(
        agent: AgentProcess, tmp_path: Path) -> None:
    gate = tmp_path / "release"
    marks = tmp_path / "marks"
    body = _job("resume", [
        _task("init", f"while [ ! -e {gate} ]; do sleep 0.1; done; echo init >> {marks}",
              hook="prestart"),
        _task("main", f"echo main >> {marks}"),
    ])
    httpx.put(f"{agent.address}/v1/jobs", json=body, timeout=10).raise_for_status()
    wait_until(lambda: _state(_alloc(agent), "init") == "running", 30, what="init running")
    assert _state(_alloc(agent), "main") == "pending"
    agent.kill()
    agent.start()
    gate.touch()  # the prestart task, re-attached, finishes now
    done = wait_until(lambda: (a := _alloc(agent))["ClientStatus"] == "complete" and a, 60,
                      what="alloc complete after the restart")
    assert marks.read_text() == "init\nmain\n"  # main ran once, after init
    assert _at(done, "init", "Terminated") <= _at(done, "main", "Started")
    assert [e["Type"] for e in done["TaskStates"]["init"]["Events"]].count("Started") == 1
    httpx.delete(f"{agent.address}/v1/job/resume?purge=true", timeout=10)
