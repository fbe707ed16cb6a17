"""Server garbage collection against a real agent: thresholds from the agent file, and
`caravan system gc` (which also removes the deployments of a purged job)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

SHORT_GC = '''server {
  job_gc_interval         = "1s"
  job_gc_threshold        = "2s"
  eval_gc_threshold       = "2s"
  batch_eval_gc_threshold = "2s"
  deployment_gc_threshold = "2s"
}
'''


def _agent(tmp_path: Path, name: str, config: str = "") -> Iterator[AgentProcess]:
    agent = AgentProcess(root=tmp_path, name=name, config=config)
    try:
        yield agent.start()
    finally:
        agent.stop()


@pytest.fixture
def short_gc_agent(tmp_path: Path) -> Iterator[AgentProcess]:
    yield from _agent(tmp_path, "short-gc", SHORT_GC)


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[AgentProcess]:
    yield from _agent(tmp_path, "default-gc")


def _get(agent: AgentProcess, path: str) -> Any:
    response = httpx.get(f"{agent.address}{path}", timeout=10)
    return response.json() if response.status_code == 200 else None


def _job_rows(agent: AgentProcess, job_id: str) -> dict[str, int]:
    return {"allocs": sum(a["JobID"] == job_id for a in _get(agent, "/v1/allocations")),
            "evals": sum(e["JobID"] == job_id for e in _get(agent, "/v1/evaluations")),
            "deployments": sum(d["JobID"] == job_id for d in _get(agent, "/v1/deployments"))}


def test_a_finished_batch_job_is_collected_after_the_thresholds(
        short_gc_agent: AgentProcess) -> None:
    agent = short_gc_agent
    batch = raw_exec_job("once", job_type="batch", args=["-c", "exit 0"])
    service = raw_exec_job("keeps-running")
    for body in (batch, service):
        httpx.post(f"{agent.address}/v1/jobs", json=body, timeout=10).raise_for_status()
    wait_until(lambda: any(a["ClientStatus"] == "complete"
                           for a in _get(agent, "/v1/job/once/allocations") or []), 30,
               what="the batch alloc completed")
    wait_until(lambda: _get(agent, "/v1/job/once") is None, 30, what="the batch job collected")
    assert _job_rows(agent, "once") == {"allocs": 0, "evals": 0, "deployments": 0}
    # the running service job and its allocation stay, whatever their age
    assert _get(agent, "/v1/job/keeps-running") is not None
    assert [a["ClientStatus"] for a in _get(agent, "/v1/job/keeps-running/allocations")] == [
        "running"]
    httpx.delete(f"{agent.address}/v1/job/keeps-running", timeout=10).raise_for_status()
    wait_until(lambda: _get(agent, "/v1/job/keeps-running") is None, 30,
               what="the stopped service job collected")


def test_system_gc_collects_a_stopped_job_and_a_purged_jobs_deployments(
        agent: AgentProcess) -> None:
    for job_id in ("stopped", "purged"):
        body = raw_exec_job(job_id)
        body["Job"]["Update"] = {"MaxParallel": 1, "MinHealthyTime": 0,
                                 "HealthyDeadline": 30_000_000_000}
        httpx.post(f"{agent.address}/v1/jobs", json=body, timeout=10).raise_for_status()
    wait_until(lambda: all(_job_rows(agent, j)["deployments"] == 1 and any(
        a["ClientStatus"] == "running" for a in _get(agent, f"/v1/job/{j}/allocations"))
        for j in ("stopped", "purged")), 30, what="both jobs running with a deployment")
    stop = caravan(agent, "job", "stop", "stopped")
    purge = caravan(agent, "job", "stop", "-purge", "purged")
    assert stop.returncode == 0 and purge.returncode == 0, stop.stderr + purge.stderr
    wait_until(lambda: all(a["ClientStatus"] == "complete"
                           for a in _get(agent, "/v1/allocations")), 30,
               what="every alloc stopped")
    # nothing is old enough for the default thresholds: only `system gc` collects now
    assert _job_rows(agent, "purged")["deployments"] == 1
    gc = caravan(agent, "system", "gc")
    assert (gc.returncode, gc.stdout, gc.stderr) == (0, "", "")
    assert _get(agent, "/v1/job/stopped") is None
    for job_id in ("stopped", "purged"):
        assert _job_rows(agent, job_id) == {"allocs": 0, "evals": 0, "deployments": 0}
    extra = caravan(agent, "system", "gc", "now")
    assert extra.returncode == 1 and "This command takes no arguments" in extra.stderr
