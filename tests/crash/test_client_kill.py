"""SIGKILL of a client agent while its tasks start: after a restart with the same config,
every allocation has exactly one task process (counted from /proc, tied to its alloc
dir), exec tasks running at the kill are the same processes, and a purge leaves nothing.

The kill moment is chosen from what exists on the host (N executors started), never
from sleeps. One run uses the issue's numbers (300 raw_exec + 20 exec tasks); the
spread of kill moments uses 40 tasks each to keep the suite within a few minutes.
"""

from __future__ import annotations

import pytest

from tests.agents import wait_until
from tests.crash import client_host as host
from tests.crash.client_agent import TASK_COMMAND, CrashAgent, job
from tests.crash.client_fixtures import alloc_ids, crash_agent  # noqa: F401

pytestmark = pytest.mark.integration


def _kill_after_executors(agent: CrashAgent, n: int) -> None:
    wait_until(lambda: len(host.executors(agent.data_dir)) >= n, 240, 0.005,
               what=f"{n} executors")
    agent.kill()


def _one_task_per_alloc(agent: CrashAgent, jobs: dict[str, int]) -> dict[str, list[int]]:
    total = sum(jobs.values())
    wait_until(lambda: sum(agent.running(j) for j in jobs) == total, 240, 0.5,
               what="every allocation running again")
    found = host.task_processes(agent.data_dir, TASK_COMMAND)
    doubles = {a: pids for a, pids in found.items() if len(pids) != 1}
    assert not doubles, f"allocations with more than one task process: {doubles}"
    server_ids = {a["ID"] for j in jobs for a in agent.allocs(j)}
    assert set(found) == server_ids
    # No raw_exec task lost its executor (one that died reporting to a dead agent).
    executors = set(host.executors(agent.data_dir))
    raw = [pid for a, pids in found.items() for pid in pids
           if str(agent.data_dir / "alloc" / a) in host.cwd(pid)]
    assert raw and all(host.parent(pid) in executors for pid in raw)
    return found


def _purge_leaves_nothing(agent: CrashAgent, jobs: list[str]) -> None:
    ids = alloc_ids(agent)
    for job_id in jobs:
        agent.purge(job_id)
    wait_until(lambda: not host.leftovers(agent.data_dir, ids, TASK_COMMAND), 120, 0.5,
               what="nothing left after purge")


def test_kill_while_300_raw_exec_and_20_exec_tasks_start(crash_agent: CrashAgent) -> None:
    agent = crash_agent.start()
    agent.register(job("exec", 20, driver="exec"))
    wait_until(lambda: agent.running("exec") >= 10, 120, 0.05, what="exec tasks running")
    exec_before = host.task_processes(agent.data_dir, TASK_COMMAND)
    agent.register(job("many", 300))
    _kill_after_executors(agent, 20 + 100)
    agent.start()
    found = _one_task_per_alloc(agent, {"exec": 20, "many": 300})
    # exec tasks that ran at the kill were re-attached, not killed and started again.
    assert all(found[a] == pids for a, pids in exec_before.items())
    _purge_leaves_nothing(agent, ["exec", "many"])


@pytest.mark.parametrize("executors", [1, 15, 35])
def test_kill_at_a_spread_of_moments(crash_agent: CrashAgent, executors: int) -> None:
    agent = crash_agent.start()
    agent.register(job("spread", 40))
    _kill_after_executors(agent, executors)
    agent.start()
    _one_task_per_alloc(agent, {"spread": 40})
    _purge_leaves_nothing(agent, ["spread"])
