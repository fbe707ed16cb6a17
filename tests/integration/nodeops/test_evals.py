"""`eval list` and `/v1/evaluations` filters and pagination, `/v1/node/<id>/evaluate`,
against a real agent."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def http(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=10) as client:
        for job_id in ("one", "two"):
            client.post("/v1/jobs", json=raw_exec_job(job_id, args=["-c", "sleep 300"]))
            wait_until(lambda: any(a["ClientStatus"] == "running" for a in client.get(
                f"/v1/job/{job_id}/allocations").json()), 60, what=f"{job_id} running")
        yield client


def test_eval_list_filters_by_job_and_status(dev_agent: AgentProcess,
                                             http: httpx.Client) -> None:
    listed = caravan(dev_agent, "eval", "list")
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["ID", "Priority", "Triggered", "By", "Job", "ID", "Namespace",
                              "Node", "ID", "Status", "Placement", "Failures"]
    assert {r.split()[3] for r in rows} >= {"one", "two"}
    only = caravan(dev_agent, "eval", "list", "-job", "one", "-status", "complete")
    assert [r.split()[3] for r in only.stdout.splitlines()[1:]] == ["one"]
    assert http.get("/v1/evaluations", params={"status": "blocked"}).json() == []
    none = caravan(dev_agent, "eval", "list", "-job", "nope")
    assert (none.returncode, none.stdout) == (0, "No evals found\n")


def test_eval_list_pages(dev_agent: AgentProcess, http: httpx.Client) -> None:
    everything = [e["ID"] for e in http.get("/v1/evaluations").json()]
    first = http.get("/v1/evaluations", params={"per_page": 1})
    token = first.headers["X-Nomad-NextToken"]
    assert [e["ID"] for e in first.json()] == everything[:1]
    rest = http.get("/v1/evaluations", params={"next_token": token})
    assert [e["ID"] for e in rest.json()] == everything[1:]
    paged = caravan(dev_agent, "eval", "list", "-per-page", "1", "-verbose")
    assert paged.stdout.splitlines()[1].split()[0] == everything[0]
    assert f"-page-token {token}" in paged.stdout
    assert http.get("/v1/evaluations", params={"next_token": "x"}).status_code == 400


def test_node_evaluate_evaluates_the_jobs_on_the_node(http: httpx.Client) -> None:
    [node] = http.get("/v1/nodes").json()
    r = http.put(f"/v1/node/{node['ID']}/evaluate")
    assert r.status_code == 200, r.text
    created = [http.get(f"/v1/evaluation/{i}").json() for i in r.json()["EvalIDs"]]
    assert sorted(e["JobID"] for e in created) == ["one", "two"]
    assert {(e["TriggeredBy"], e["NodeID"]) for e in created} == {("node-update", node["ID"])}
    assert http.put("/v1/node/00000000-0000-0000-0000-000000000000/evaluate"
                    ).status_code == 404
