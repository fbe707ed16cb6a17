"""`/v1/search` and `/v1/search/fuzzy` against a real -dev agent, in Nomad's shapes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

CE_CONTEXTS = {"allocs", "jobs", "nodes", "node_pools", "evals", "deployment", "plugins",
               "volumes", "scaling_policy", "vars", "namespaces", "host_volumes"}


@pytest.fixture(scope="module")
def api(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=30) as client:
        job = raw_exec_job("search-web", args=["-c", "exit 0"], job_type="batch")
        assert client.post("/v1/jobs", json=job).status_code == 200
        wait_until(lambda: client.get("/v1/job/search-web/allocations").json(), 30,
                   what="an allocation of search-web")
        yield client
        client.delete("/v1/job/search-web", params={"purge": "true"})


def test_prefix_search_by_context(api: httpx.Client) -> None:
    reply = api.put("/v1/search", json={"Prefix": "search-", "Context": "jobs"})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"Matches": {"jobs": ["search-web"]}, "Truncations": {"jobs": False}}
    assert int(reply.headers["X-Nomad-Index"]) > 0
    alloc_id = api.get("/v1/job/search-web/allocations").json()[0]["ID"]
    # An odd-length prefix is fine: the UUID index rounds it down, the match keeps it.
    found = api.post("/v1/search", json={"Prefix": alloc_id[:5], "Context": "all"}).json()
    assert set(found["Matches"]) == CE_CONTEXTS
    assert alloc_id in found["Matches"]["allocs"]
    assert all(i.startswith(alloc_id[:5]) for i in found["Matches"]["allocs"])
    assert found["Matches"]["plugins"] is None  # nothing: Nomad's null


def test_fuzzy_search_finds_jobs_groups_tasks_commands(api: httpx.Client) -> None:
    reply = api.put("/v1/search/fuzzy", json={"Text": "EARCH-w", "Context": "all"})
    assert reply.status_code == 200, reply.text
    matches = reply.json()["Matches"]
    assert matches["jobs"] == [{"ID": "search-web", "Scope": ["default", "search-web"]}]
    command = api.put("/v1/search/fuzzy", json={"Text": "bin/s", "Context": "jobs"}).json()
    assert {"ID": "/bin/sh", "Scope": ["default", "search-web", "main", "main"]} in \
        command["Matches"]["commands"]
    alloc_name = api.get("/v1/job/search-web/allocations").json()[0]["Name"]
    allocs = api.put("/v1/search/fuzzy", json={"Text": "search-web.main",
                                                "Context": "allocs"}).json()
    assert alloc_name in [m["ID"] for m in allocs["Matches"]["allocs"]]


@pytest.mark.parametrize("path,body,text", [
    ("/v1/search/fuzzy", {"Text": "a", "Context": "all"}, "at least 2 characters"),
    ("/v1/search", {"Prefix": "a", "Context": "widgets"}, 'unknown Context "widgets"'),
    ("/v1/search", {"Prefix": 3, "Context": "jobs"}, "must be strings"),
])
def test_bad_searches_are_400s(api: httpx.Client, path: str, body: object, text: str) -> None:
    reply = api.put(path, json=body)
    assert reply.status_code == 400
    assert text in reply.text
