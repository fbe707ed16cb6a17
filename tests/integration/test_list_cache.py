"""`GET /v1/jobs` and `/v1/allocations` reuse each item's JSON until the item changes:
every answer must still be the current state, after each kind of write."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until

pytestmark = pytest.mark.integration

NODE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    agent = AgentProcess(root=tmp_path_factory.mktemp("lists"), name="lists", dev=False,
                         client=False, heartbeat_grace="1h", min_heartbeat_ttl="1h")
    try:
        agent.start()
        with httpx.Client(base_url=agent.address, timeout=30) as client:
            node = {"ID": NODE_ID, "SecretID": SECRET, "Name": "n1", "Datacenter": "dc1",
                    "NodePool": "default", "Status": "ready",
                    "Drivers": {"raw_exec": {"Detected": True, "Healthy": True}},
                    "NodeResources": {"Cpu": {"CpuShares": 4000},
                                      "Memory": {"MemoryMB": 4096}}}
            client.put("/v1/node/register", json={"Node": node}).raise_for_status()
            yield client
    finally:
        agent.stop()


def _job(job_id: str, count: int) -> dict[str, Any]:
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [{
        "Name": "g", "Count": count, "Tasks": [{
            "Name": "t", "Driver": "raw_exec", "Config": {"command": "/bin/true"},
            "Resources": {"CPU": 100, "MemoryMB": 64}}]}]}}


def _both(http: httpx.Client, path: str, params: dict[str, str]) -> tuple[Any, Any]:
    """The cached answer and a freshly built (pretty) one of the same state index; a write
    landing between the two reads (a placement in flight) means reading both again."""
    while True:
        reply = http.get(path, params=params)
        pretty = http.get(path, params={**params, "pretty": "1"})
        reply.raise_for_status()
        if reply.headers["X-Nomad-Index"] == pretty.headers["X-Nomad-Index"]:
            return reply.json(), pretty.json()


def _allocs(http: httpx.Client, **params: str) -> list[dict[str, Any]]:
    cached, fresh = _both(http, "/v1/allocations", params)
    allocs = sorted(cached, key=lambda a: str(a["ID"]))
    assert allocs == sorted(fresh, key=lambda a: str(a["ID"]))
    return allocs


def _jobs(http: httpx.Client) -> dict[str, dict[str, Any]]:
    cached, fresh = _both(http, "/v1/jobs", {})
    jobs = {j["ID"]: j for j in cached}
    assert jobs == {j["ID"]: j for j in fresh}
    return jobs


def test_lists_follow_every_write(http: httpx.Client) -> None:
    http.post("/v1/jobs", json=_job("web", 2)).raise_for_status()
    wait_until(lambda: len(_allocs(http)) == 2, 30, what="two allocations placed")
    assert _jobs(http)["web"]["JobSummary"]["Summary"]["g"]["Starting"] == 2
    first, second = _allocs(http)
    assert {first["ClientStatus"], second["ClientStatus"]} == {"pending"}
    update = {"Allocs": [{"ID": first["ID"], "ClientStatus": "running"}]}
    http.put(f"/v1/node/{NODE_ID}/allocations/update", json=update,
             headers={"X-Nomad-Token": SECRET}).raise_for_status()
    by_id = {a["ID"]: a for a in _allocs(http)}
    assert by_id[first["ID"]]["ClientStatus"] == "running"
    assert by_id[second["ID"]]["ClientStatus"] == "pending"
    summary = _jobs(http)["web"]["JobSummary"]["Summary"]["g"]
    assert (summary["Running"], summary["Starting"]) == (1, 1)
    assert [a["ID"] for a in _allocs(http, task_states="false")] == sorted(by_id)
    assert all(a["TaskStates"] is None for a in _allocs(http, task_states="false"))
    http.post("/v1/jobs", json=_job("api", 1)).raise_for_status()
    wait_until(lambda: len(_allocs(http)) == 3, 30, what="the third allocation")
    assert set(_jobs(http)) == {"web", "api"}
    assert [a["ID"] for a in _allocs(http, prefix=first["ID"][:8])] == [first["ID"]]
    http.delete("/v1/job/api", params={"purge": "true"}).raise_for_status()
    wait_until(lambda: set(_jobs(http)) == {"web"}, 30, what="api purged from the list")
    assert http.get("/v1/jobs").headers["X-Nomad-Index"] == \
        http.get("/v1/jobs", params={"pretty": "1"}).headers["X-Nomad-Index"]
