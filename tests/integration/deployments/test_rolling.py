"""Rolling updates with real agents (issue 12 part 5): a changed service job gets a
deployment; its allocations are replaced `max_parallel` at a time, each batch only once
the previous one is healthy; a successful deployment marks the version stable."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.agents import AgentProcess
from tests.integration.deployments.helpers import (
    rolling_job,
    running_versions,
    wait_deployment,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def http(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=30) as client:
        yield client


def test_rolling_update_of_four_with_max_parallel_one(http: httpx.Client) -> None:
    http.post("/v1/jobs", json=rolling_job("roll")).raise_for_status()
    first = wait_deployment(http, "roll", "successful", version=0)
    assert first["TaskGroups"]["main"]["DesiredTotal"] == 4
    assert first["StatusDescription"] == "Deployment completed successfully"
    http.post("/v1/jobs", json=rolling_job("roll", version="v2")).raise_for_status()
    done = wait_deployment(http, "roll", "successful", version=1)
    state = done["TaskGroups"]["main"]
    assert (state["PlacedAllocs"], state["HealthyAllocs"], state["UnhealthyAllocs"]) == (4, 4, 0)
    assert running_versions(http, "roll") == [1, 1, 1, 1]
    new = sorted((a for a in http.get(f"/v1/deployment/allocations/{done['ID']}").json()),
                 key=lambda a: a["CreateIndex"])
    assert len(new) == 4 and all(a["DeploymentStatus"]["Healthy"] for a in new)
    # One at a time: each replacement was placed only after the one before was healthy.
    for before, after in zip(new, new[1:]):
        healthy_at = before["DeploymentStatus"]["Timestamp"]
        assert _ns(healthy_at) <= after["CreateTime"], (before["Name"], after["Name"])
    versions = {v["Version"]: v["Stable"] for v in http.get("/v1/job/roll/versions").json()["Versions"]}
    assert versions == {0: True, 1: True}
    listed = http.get("/v1/deployments").json()
    assert {d["ID"] for d in listed} >= {first["ID"], done["ID"]}
    assert [d["ID"] for d in http.get("/v1/job/roll/deployments").json()] == [done["ID"],
                                                                              first["ID"]]


def _ns(text: str) -> int:
    from caravan.structs.acl import parse_rfc3339_ns
    return parse_rfc3339_ns(text)
