"""A failed allocation of a system job stays as it is: no replacement loop (as in Nomad)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


def _get(agent: AgentProcess, path: str) -> Any:
    return httpx.get(f"{agent.address}{path}", timeout=10).json()


def test_failed_system_allocation_is_not_replaced_again_and_again(
        dev_agent: AgentProcess) -> None:
    body = raw_exec_job("sysfail", args=["-c", "exit 3"], job_type="system",
                        restart_attempts=0)
    assert httpx.put(f"{dev_agent.address}/v1/jobs", json=body, timeout=10).status_code == 200
    failed = wait_until(
        lambda: [a for a in _get(dev_agent, "/v1/job/sysfail/allocations")
                 if a["ClientStatus"] == "failed"], 30, what="the system allocation failed")

    # The failure is recorded in one write; a replacement loop would start with an eval
    # committed in that same write.
    evals = _get(dev_agent, "/v1/job/sysfail/evaluations")
    assert [e["TriggeredBy"] for e in evals] == ["job-register"], evals
    # Another job placed and running afterwards: the system job still has its one alloc.
    other = raw_exec_job("other", args=["-c", "sleep 300"])
    assert httpx.put(f"{dev_agent.address}/v1/jobs", json=other, timeout=10).status_code == 200
    wait_until(lambda: any(a["ClientStatus"] == "running"
                           for a in _get(dev_agent, "/v1/job/other/allocations")),
               30, what="another job running")
    allocs = _get(dev_agent, "/v1/job/sysfail/allocations")
    assert [(a["ID"], a["ClientStatus"]) for a in allocs] == [(failed[0]["ID"], "failed")]
    assert [e["TriggeredBy"] for e in _get(dev_agent, "/v1/job/sysfail/evaluations")] == \
        ["job-register"]
    for job_id in ("sysfail", "other"):
        httpx.delete(f"{dev_agent.address}/v1/job/{job_id}?purge=true", timeout=10)
