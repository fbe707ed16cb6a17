"""Canaries promoted by the CLI, and a failing version rolled back (issue 12 part 5), with
real agents: the canary runs beside the old version until `caravan deployment promote`;
a version whose tasks fail fails its deployment, and `auto_revert` registers the last
stable version again."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.deployments.helpers import (
    latest_deployment,
    rolling_job,
    running_versions,
    wait_deployment,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def http(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=30) as client:
        yield client


def cli(agent: AgentProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CARAVAN, *args], env=agent.env, capture_output=True, text=True,
                          timeout=120)


def test_a_canary_waits_for_promotion_by_the_cli(dev_agent: AgentProcess,
                                                 http: httpx.Client) -> None:
    http.post("/v1/jobs", json=rolling_job("canary", count=2, Canary=1)).raise_for_status()
    wait_deployment(http, "canary", "successful", version=0)
    http.post("/v1/jobs", json=rolling_job("canary", count=2, version="v2",
                                           Canary=1)).raise_for_status()

    def canary_healthy() -> dict | None:
        d = latest_deployment(http, "canary")
        state = d["TaskGroups"]["main"] if d and d["JobVersion"] == 1 else None
        return d if state and state["HealthyAllocs"] == 1 else None

    d = wait_until(canary_healthy, timeout_s=60, what="a healthy canary")
    assert d["Status"] == "running"
    assert d["StatusDescription"] == "Deployment is running but requires manual promotion"
    assert d["TaskGroups"]["main"]["DesiredCanaries"] == 1
    assert len(d["TaskGroups"]["main"]["PlacedCanaries"]) == 1
    assert running_versions(http, "canary") == [0, 0, 1]   # beside the old ones
    status = cli(dev_agent, "deployment", "status", d["ID"][:8])
    assert status.returncode == 0, status.stderr
    assert "Promoted" in status.stdout and "Canaries" in status.stdout
    promote = cli(dev_agent, "deployment", "promote", d["ID"][:8])
    assert promote.returncode == 0, promote.stdout + promote.stderr
    assert "Deployment completed successfully" in promote.stdout
    wait_deployment(http, "canary", "successful", version=1)
    wait_until(lambda: running_versions(http, "canary") == [1, 1], timeout_s=60,
               what="only the new version running")


def test_promoting_an_unhealthy_canary_is_refused(http: httpx.Client) -> None:
    http.post("/v1/jobs", json=rolling_job("unready", count=1, Canary=1)).raise_for_status()
    wait_deployment(http, "unready", "successful", version=0)
    job = rolling_job("unready", count=1, version="v2", Canary=1, MinHealthyTime=50 * 10**9)
    http.post("/v1/jobs", json=job).raise_for_status()
    d = wait_until(lambda: (latest_deployment(http, "unready") or {}).get("JobVersion") == 1
                   and latest_deployment(http, "unready"), what="the canary's deployment")
    reply = http.put(f"/v1/deployment/promote/{d['ID']}", json={"All": True})
    assert reply.status_code == 400
    assert reply.text == 'Task group "main" has 0/1 healthy allocations'
    fail = http.put(f"/v1/deployment/fail/{d['ID']}")
    assert fail.status_code == 200
    again = http.put(f"/v1/deployment/fail/{d['ID']}")
    assert (again.status_code, again.text) == (
        400, f'Deployment "{d["ID"]}" has terminal status "failed"')


def test_a_failing_version_is_auto_reverted(dev_agent: AgentProcess,
                                            http: httpx.Client) -> None:
    http.post("/v1/jobs", json=rolling_job("revert", count=2,
                                           AutoRevert=True)).raise_for_status()
    wait_deployment(http, "revert", "successful", version=0)
    # A task that exits at once: unhealthy, as it cannot run for min_healthy_time.
    broken = rolling_job("revert", count=2, script="echo broken; exit 3", AutoRevert=True,
                         MinHealthyTime=3 * 10**9)
    http.post("/v1/jobs", json=broken).raise_for_status()
    failed = wait_deployment(http, "revert", "failed", version=1)
    assert failed["StatusDescription"] == (
        "Failed due to unhealthy allocations - rolling back to job version 0")
    # The rollback is version 2, the spec of version 0, and it deploys successfully.
    wait_deployment(http, "revert", "successful", version=2)
    job = http.get("/v1/job/revert").json()
    assert (job["Version"], job["TaskGroups"][0]["Meta"]["version"]) == (2, "v1")
    wait_until(lambda: running_versions(http, "revert") == [2, 2], timeout_s=60,
               what="the reverted version running")
    listed = cli(dev_agent, "deployment", "list")
    assert listed.returncode == 0
    assert "Failed due to unhealthy allocations - rolling back to job version 0" in listed.stdout
