"""`/v1/event/stream` against a real -dev agent: a job's whole life arrives in order,
filtered by topic and key, and a stream resumes from an index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess
from tests.integration.jobs import raw_exec_job
from tests.integration.watch.stream import Event, EventStream

pytestmark = pytest.mark.integration

LIFE = [("topic", "Job:life"), ("topic", "Evaluation:life"), ("topic", "Allocation:life")]


@pytest.fixture
def api(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=30) as client:
        yield client


def _stream(agent: AgentProcess, params: list[tuple[str, str]]) -> EventStream:
    stream = EventStream(agent.address, params)
    assert stream.status == 200, stream.response.read()
    return stream


def _kinds(events: list[Event]) -> list[tuple[str, str]]:
    return [(e["Topic"], e["Type"]) for e in events]


def _complete(events: list[Event]) -> bool:
    return any(e["Topic"] == "Allocation"
               and e["Payload"]["Allocation"]["ClientStatus"] == "complete" for e in events)


def _purged(events: list[Event]) -> bool:
    return any(e["Type"] == "JobDeregistered" and e["Payload"].get("Deleted") for e in events)


def test_a_jobs_whole_life_in_order(dev_agent: AgentProcess, api: httpx.Client) -> None:
    stream = _stream(dev_agent, LIFE)
    try:
        # Another job's events must not reach a stream filtered to "life".
        assert api.post("/v1/jobs", json=raw_exec_job("bystander", job_type="batch",
                                                      args=["-c", "exit 0"])).status_code == 200
        reply = api.post("/v1/jobs", json=raw_exec_job("life", job_type="batch",
                                                       args=["-c", "exit 0"]))
        assert reply.status_code == 200, reply.text
        events = stream.events_until(_complete)
        assert api.delete("/v1/job/life", params={"purge": "true"}).status_code == 200
        events += stream.events_until(_purged)
    finally:
        stream.close()
    assert stream.heartbeats >= 1  # the `{}` a stream opens with
    assert {e["Key"] for e in events if e["Topic"] == "Job"} == {"life"}
    assert all(e["Payload"]["Allocation"]["JobID"] == "life"
               for e in events if e["Topic"] == "Allocation")
    indexes = [e["Index"] for e in events]
    assert indexes == sorted(indexes)
    kinds = _kinds(events)
    assert kinds[0] == ("Job", "JobRegistered")
    first_eval = kinds.index(("Evaluation", "EvaluationUpdated"))
    first_alloc = kinds.index(("Allocation", "PlanResult"))
    assert first_eval < first_alloc
    statuses = [e["Payload"]["Allocation"]["ClientStatus"] for e in events
                if e["Topic"] == "Allocation"]
    assert statuses[0] == "pending" and "complete" in statuses
    # The alloc's job is left out of its events, as Nomad does.
    assert all(e["Payload"]["Allocation"]["Job"] is None for e in events
               if e["Topic"] == "Allocation")
    # The purge's commit (the job's delete and its eval) is the last one seen.
    purge = next(e for e in events if e["Type"] == "JobDeregistered")
    assert purge["Index"] == indexes[-1] and purge["Payload"]["Job"]["ID"] == "life"
    registered = next(e for e in events if e["Type"] == "JobRegistered")
    assert registered["Payload"]["Job"]["ID"] == "life"
    assert registered["Namespace"] == "default"


def test_resume_from_an_index(dev_agent: AgentProcess, api: httpx.Client) -> None:
    reply = api.post("/v1/jobs", json=raw_exec_job("resume", job_type="batch",
                                                   args=["-c", "exit 0"]))
    assert reply.status_code == 200, reply.text
    index = reply.json()["JobModifyIndex"]
    stream = _stream(dev_agent, [("topic", "Job:resume"), ("index", str(index))])
    try:
        events = stream.events_until(lambda found: len(found) >= 1)
    finally:
        stream.close()
    assert events[0]["Index"] == index
    assert events[0]["Type"] == "JobRegistered"
    api.delete("/v1/job/resume", params={"purge": "true"})


def test_topic_without_key_and_node_events(dev_agent: AgentProcess, api: httpx.Client) -> None:
    # index=1 replays the ring: the node's registration and updates are in it.
    stream = _stream(dev_agent, [("topic", "Node"), ("index", "1")])
    try:
        events = stream.events_until(lambda found: len(found) >= 1)
    finally:
        stream.close()
    assert {e["Topic"] for e in events} == {"Node"}
    node: dict[str, Any] = events[0]["Payload"]["Node"]
    assert node["ID"] == events[0]["Key"] and "SecretID" not in node


@pytest.mark.parametrize("topic", ["Job:a:b", ":x"])
def test_a_malformed_topic_is_a_400(api: httpx.Client, topic: str) -> None:
    reply = api.get("/v1/event/stream", params={"topic": topic})
    assert reply.status_code == 400
    assert "Invalid topic query" in reply.text


def test_a_bad_index_is_a_400(api: httpx.Client) -> None:
    reply = api.get("/v1/event/stream", params={"index": "abc"})
    assert reply.status_code == 400
