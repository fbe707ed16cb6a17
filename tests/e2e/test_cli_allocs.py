"""Allocation lifecycle commands against a real -dev agent: signal, restart, stop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from caravan.api import Client
from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan, created_allocs, job_file, wait_running

pytestmark = pytest.mark.integration


@pytest.fixture
def running_alloc(dev_agent: AgentProcess, tmp_path: Path) -> Iterator[str]:
    """A one-task service job, running; yields its allocation's full ID."""
    name = f"lifecycle-{tmp_path.name[-12:].strip('_').lower()}"
    script = "trap 'echo got-usr1' USR1; echo started; while true; do sleep 0.2; done"
    run = caravan(dev_agent, "job", "run", str(job_file(tmp_path, name, script=script)))
    assert run.returncode == 0, run.stdout + run.stderr
    try:
        yield wait_running(dev_agent, created_allocs(run.stdout)[0][0])
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "-detach", name)


def event_types(agent: AgentProcess, alloc_id: str) -> list[str]:
    with Client(agent.address, env={}) as client:
        alloc, _ = client.allocations.info(alloc_id)
    return [e.type for state in (alloc.task_states or {}).values() for e in state.events]


def test_alloc_signal(dev_agent: AgentProcess, running_alloc: str) -> None:
    result = caravan(dev_agent, "alloc", "signal", "-s", "SIGUSR1", running_alloc[:8])
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    wait_until(lambda: "got-usr1" in caravan(dev_agent, "alloc", "logs",
                                              running_alloc).stdout, 30, what="trap output")
    assert "Signaling" in event_types(dev_agent, running_alloc)


def test_alloc_signal_unknown_task(dev_agent: AgentProcess, running_alloc: str) -> None:
    result = caravan(dev_agent, "alloc", "signal", "-task", "nope", running_alloc)
    assert result.returncode == 1
    assert result.stderr == "Could not find task named: nope, found:\nmain\n"


def test_alloc_restart(dev_agent: AgentProcess, running_alloc: str) -> None:
    result = caravan(dev_agent, "alloc", "restart", running_alloc[:8], "main")
    assert result.returncode == 0, result.stderr
    wait_until(lambda: "Restart Signaled" in event_types(dev_agent, running_alloc), 30,
               what="a Restart Signaled event")
    status = caravan(dev_agent, "alloc", "status", running_alloc).stdout
    assert re.search(r"^Total Restarts = 1$", status, re.M) or "Restart Signaled" in status


def test_alloc_stop_replaces_the_allocation(dev_agent: AgentProcess, running_alloc: str) -> None:
    result = caravan(dev_agent, "alloc", "stop", running_alloc[:8])
    assert result.returncode == 0, result.stdout + result.stderr
    created = created_allocs(result.stdout)
    assert len(created) == 1 and created[0][0] != running_alloc[:8], result.stdout
    assert re.search(r'finished with status "complete"$', result.stdout, re.M)
    with Client(dev_agent.address, env={}) as client:
        old, _ = client.allocations.info(running_alloc)
    assert old.desired_status == "stop"
