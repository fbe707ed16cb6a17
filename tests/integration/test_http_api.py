"""The HTTP edge: errors as Nomad words them, body limits, blocking queries and headers."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.agents import AgentProcess
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


def test_wrong_method_and_unknown_route(dev_agent: AgentProcess) -> None:
    r = httpx.delete(f"{dev_agent.address}/v1/jobs")
    assert (r.status_code, r.text) == (405, "Invalid method")
    assert httpx.get(f"{dev_agent.address}/v1/nope").status_code == 404


def test_empty_malformed_and_oversized_bodies(dev_agent: AgentProcess) -> None:
    url = f"{dev_agent.address}/v1/jobs"
    r = httpx.post(url, content=b"")
    assert (r.status_code, r.text) == (400, "Request body is empty")
    r = httpx.post(url, content=b'{"Job": ')
    assert r.status_code == 400 and "Failed to decode request body" in r.text
    r = httpx.post(url, json={"Job": {"ID": "x", "TaskGroups": "not-a-list"}})
    assert r.status_code == 400 and "TaskGroups" in r.text
    r = httpx.post(url, json={})
    assert (r.status_code, r.text) == (400, "Job must be specified")
    r = httpx.post(url, content=b"{" + b" " * (17 * 1024 * 1024) + b"}")
    assert r.status_code == 413 and "too large" in r.text
    assert httpx.get(f"{url}").status_code == 200  # the agent is still serving


def test_validation_lists_every_problem(dev_agent: AgentProcess) -> None:
    job = raw_exec_job("bad job", count=-2)
    job["Job"]["Type"] = "nope"
    r = httpx.post(f"{dev_agent.address}/v1/jobs", json=job)
    assert r.status_code == 400
    assert "3 errors occurred" in r.text
    for text in ("Job ID contains a space", 'Invalid job type: "nope"',
                 "Task group count can't be negative"):
        assert text in r.text


def test_bad_query_params(dev_agent: AgentProcess) -> None:
    r = httpx.get(f"{dev_agent.address}/v1/jobs", params={"index": "x"})
    assert (r.status_code, r.text) == (400, "Invalid index")
    r = httpx.get(f"{dev_agent.address}/v1/jobs", params={"index": "1", "wait": "soon"})
    assert (r.status_code, r.text) == (400, "Invalid wait time")
    r = httpx.delete(f"{dev_agent.address}/v1/job/anything", params={"purge": "maybe"})
    assert r.status_code == 400 and "purge value is not a boolean" in r.text


def test_blocking_query_wakes_on_write(dev_agent: AgentProcess) -> None:
    r = httpx.get(f"{dev_agent.address}/v1/jobs")
    index = int(r.headers["X-Nomad-Index"])
    assert r.headers["X-Nomad-KnownLeader"] == "true" and "X-Nomad-LastContact" in r.headers

    def register_later() -> None:
        time.sleep(0.5)
        httpx.post(f"{dev_agent.address}/v1/jobs", json=raw_exec_job("blocking-wake"))

    writer = threading.Thread(target=register_later)
    writer.start()
    r = httpx.get(f"{dev_agent.address}/v1/jobs", params={"index": index, "wait": "20s"},
                  timeout=30)
    writer.join()
    assert int(r.headers["X-Nomad-Index"]) > index
    assert "blocking-wake" in [j["ID"] for j in r.json()]


def test_blocking_query_returns_at_wait(dev_agent: AgentProcess) -> None:
    r = httpx.get(f"{dev_agent.address}/v1/nodes")
    index = int(r.headers["X-Nomad-Index"])
    r = httpx.get(f"{dev_agent.address}/v1/nodes", params={"index": index, "wait": "300ms"},
                  timeout=10)
    assert r.status_code == 200 and int(r.headers["X-Nomad-Index"]) == index


def test_logs_param_errors(dev_agent: AgentProcess) -> None:
    url = f"{dev_agent.address}/v1/client/fs/logs/00000000-0000-0000-0000-000000000000"
    assert httpx.get(url).text == "must provide task name"
    assert httpx.get(url, params={"task": "t"}).text == "must provide log type (stdout/stderr)"
    r = httpx.get(url, params={"task": "t", "type": "stdout", "origin": "middle"})
    assert r.text == "origin must be start or end"
    r = httpx.get(url, params={"task": "t", "type": "stdout"})
    assert r.status_code == 404 and "Unknown allocation" in r.text
