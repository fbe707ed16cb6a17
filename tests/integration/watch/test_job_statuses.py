"""`/v1/jobs/statuses` (Nomad 1.8's shape) against a real -dev agent."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=30) as client:
        for job_id, count in (("st-a", 2), ("st-b", 1)):
            job = raw_exec_job(job_id, count=count, args=["-c", "exec sleep 300"])
            assert client.post("/v1/jobs", json=job).status_code == 200
        wait_until(lambda: len(client.get("/v1/job/st-a/allocations").json()) == 2, 30,
                   what="two allocations of st-a")
        yield client
        for job_id in ("st-a", "st-b"):
            client.delete(f"/v1/job/{job_id}", params={"purge": "true"})


def test_every_job_with_its_allocations(api: httpx.Client) -> None:
    reply = api.get("/v1/jobs/statuses")
    assert reply.status_code == 200, reply.text
    assert int(reply.headers["X-Nomad-Index"]) > 0
    jobs = {j["ID"]: j for j in reply.json()}
    assert {"st-a", "st-b"} <= set(jobs)
    a = jobs["st-a"]
    assert a["Namespace"] == "default" and a["Type"] == "service"
    assert a["GroupCountSum"] == 2 and a["ChildStatuses"] is None
    assert len(a["Allocs"]) == 2
    assert {al["Group"] for al in a["Allocs"]} == {"main"}
    assert set(a["Allocs"][0]) == {"ID", "Group", "ClientStatus", "NodeID", "DeploymentStatus",
                                   "JobVersion", "FollowupEvalID", "HasPausedTask"}
    assert a["LatestDeployment"] is not None and a["LatestDeployment"]["JobVersion"] == 0
    indexes = [j["ModifyIndex"] for j in reply.json()]
    assert indexes == sorted(indexes, reverse=True)  # newest first


def test_post_names_the_jobs_and_pages_follow_the_token(api: httpx.Client) -> None:
    only = api.post("/v1/jobs/statuses", json={"Jobs": [{"ID": "st-b"}]})
    assert only.status_code == 200, only.text
    assert [j["ID"] for j in only.json()] == ["st-b"]
    first = api.get("/v1/jobs/statuses", params={"per_page": "1"})
    token = first.headers["X-Nomad-NextToken"]
    second = api.get("/v1/jobs/statuses", params={"per_page": "1", "next_token": token})
    assert len(first.json()) == len(second.json()) == 1
    assert first.json()[0]["ID"] != second.json()[0]["ID"]
    assert second.json()[0]["ModifyIndex"] <= int(token)


def test_bad_requests_are_400s(api: httpx.Client) -> None:
    empty = api.post("/v1/jobs/statuses", json={"Jobs": []})
    assert empty.status_code == 400 and "no jobs in request" in empty.text
    assert api.get("/v1/jobs/statuses", params={"per_page": "x"}).status_code == 400
    assert api.get("/v1/jobs/statuses",
                   params={"include_children": "maybe"}).status_code == 400


def test_a_blocking_query_wakes_on_a_new_job(api: httpx.Client) -> None:
    index = int(api.get("/v1/jobs/statuses").headers["X-Nomad-Index"])
    answers: list[httpx.Response] = []

    def watch() -> None:
        # Other jobs' allocations may wake it first (a change is a change): ask again from
        # each answer's index until the new job shows.
        last = index
        for _ in range(50):
            reply = api.get("/v1/jobs/statuses", params={"index": str(last), "wait": "60s"})
            answers.append(reply)
            last = int(reply.headers["X-Nomad-Index"])
            if "st-late" in [j["ID"] for j in reply.json()]:
                return

    waiter = threading.Thread(target=watch)
    waiter.start()
    job = raw_exec_job("st-late", args=["-c", "exec sleep 300"])
    assert api.post("/v1/jobs", json=job).status_code == 200
    waiter.join(timeout=120)
    api.delete("/v1/job/st-late", params={"purge": "true"})
    indexes = [int(a.headers["X-Nomad-Index"]) for a in answers]
    assert indexes and all(i > index for i in indexes)  # each answered a change
    assert "st-late" in [j["ID"] for j in answers[-1].json()]
