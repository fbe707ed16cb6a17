"""A task's history survives a SIGKILLed client: batch tasks that finished before the kill
are not run again and keep their first run in their events; restart counts and a
pending restart delay are the same after the restart as before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.agents import wait_until
from tests.crash.client_agent import SECOND_NS, CrashAgent, job
from tests.crash.client_fixtures import crash_agent  # noqa: F401

pytestmark = pytest.mark.integration

# Each run appends a line to a file in its task dir, so runs are counted on the host.
RECORD_RUN = "/bin/sh -c echo_run"


def _job(job_id: str, count: int, script: str, job_type: str,
         restart: dict[str, Any] | None = None) -> dict[str, Any]:
    body = job(job_id, count, job_type=job_type, restart=restart)
    body["Job"]["TaskGroups"][0]["Tasks"][0]["Config"] = {"command": "/bin/sh",
                                                          "args": ["-c", script]}
    return body


def _runs(agent: CrashAgent) -> dict[str, int]:
    """alloc ID -> how many times its task ran (lines in local/runs)."""
    return {p.parents[2].name: len(p.read_text().splitlines())
            for p in (agent.data_dir / "alloc").glob("*/main/local/runs")}


def _state(agent: CrashAgent, alloc_id: str) -> dict[str, Any]:
    """The task's state as the server has it; empty until the client first reports it."""
    states = agent.get(f"/v1/allocation/{alloc_id}")["TaskStates"] or {}
    return states.get("main") or {}  # type: ignore[no-any-return]


def test_batch_tasks_done_before_the_kill_are_not_run_again(crash_agent: CrashAgent) -> None:
    agent = crash_agent.start()
    agent.register(_job("once", 50, "echo run >> local/runs", "batch"))
    wait_until(lambda: len(_runs(agent)) >= 15, 120, 0.005, what="15 batch runs")
    agent.kill()
    agent.start()
    wait_until(lambda: len(agent.allocs("once")) == 50 and all(
        a["ClientStatus"] == "complete" for a in agent.allocs("once")), 120, 0.5,
        what="every batch alloc complete")
    runs = _runs(agent)
    assert len(runs) == 50 and set(runs.values()) == {1}, runs
    for alloc in agent.allocs("once"):
        kinds = [e["Type"] for e in _state(agent, alloc["ID"])["Events"]]
        assert kinds.count("Started") == 1 and kinds.count("Terminated") == 1, kinds


def _failing(job_id: str, delay_s: int) -> dict[str, Any]:
    restart = {"Attempts": 3, "Interval": 3600 * SECOND_NS, "Delay": delay_s * SECOND_NS,
               "Mode": "fail"}
    return _job(job_id, 1, "echo run >> local/runs; exit 1", "service", restart)


def test_restart_count_survives_the_kill(crash_agent: CrashAgent) -> None:
    agent = crash_agent.start()
    agent.register(_failing("flaky", 1))
    alloc_id = wait_until(lambda: next(iter(_runs(agent).items()), (None, 0))[1] >= 2
                          and next(iter(_runs(agent))), 60, 0.01, what="a second run")
    agent.kill()
    agent.start()
    wait_until(lambda: _state(agent, alloc_id).get("State") == "dead", 60, 0.2, what="task dead")
    state = _state(agent, alloc_id)
    assert state["Restarts"] == 3 and state["Failed"] is True
    assert _runs(agent)[alloc_id] == 4  # the first run and 3 restarts, across the kill


def test_pending_restart_delay_survives_the_kill(crash_agent: CrashAgent) -> None:
    agent = crash_agent.start()
    agent.register(_failing("delayed", 3600))
    alloc_id = wait_until(lambda: next(iter(_runs(agent)), None), 60, 0.01, what="a run")
    wait_until(lambda: _state(agent, alloc_id).get("Restarts") == 1, 30, 0.1,
               what="the restart scheduled in an hour")
    before = _state(agent, alloc_id)
    agent.kill()
    agent.start()
    # The restored task waits out the same hour: pending, one run, the same events.
    wait_until(lambda: Path(agent.log_path).read_text().count("registered") >= 2, 30, 0.1,
               what="client registered again")
    state = wait_until(lambda: (s := _state(agent, alloc_id)) and
                       s["Events"][-1]["Type"] == "Restarting" and s, 10, 0.2,
                       what="state reported again")
    assert _runs(agent)[alloc_id] == 1
    assert state["State"] == "pending" and state["Restarts"] == 1
    assert state["Events"] == before["Events"]
