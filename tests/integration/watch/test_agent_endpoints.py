"""The agent's own endpoints on a real -dev agent: /v1/metrics (Nomad's JSON and the
Prometheus text)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=30) as client:
        yield client


def _gauge(api: httpx.Client, name: str) -> float | None:
    found = api.get("/v1/metrics").json()["Gauges"]
    return next((g["Value"] for g in found if g["Name"] == name), None)


def test_metrics_json_counts_what_runs(api: httpx.Client) -> None:
    reply = api.get("/v1/metrics")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == {"Timestamp", "Gauges", "Points", "Counters", "Samples"}
    names = {g["Name"] for g in body["Gauges"]}
    assert {"nomad.nomad.broker.total_ready", "nomad.runtime.alloc_bytes",
            "nomad.client.allocations.running", "nomad.nomad.job_status.running"} <= names
    before = _gauge(api, "nomad.client.allocations.running") or 0
    job = raw_exec_job("metered", args=["-c", "exec sleep 300"])
    assert api.post("/v1/jobs", json=job).status_code == 200
    try:
        wait_until(lambda: (_gauge(api, "nomad.client.allocations.running") or 0) > before,
                   60, what="the running allocation counted")
        running = next(g for g in api.get("/v1/metrics").json()["Gauges"]
                       if g["Name"] == "nomad.client.allocations.running")
        assert running["Labels"]["node_id"]
    finally:
        api.delete("/v1/job/metered", params={"purge": "true"})


def test_metrics_in_prometheus_format(api: httpx.Client) -> None:
    reply = api.get("/v1/metrics", params={"format": "prometheus"})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(reply.text)}
    assert "nomad_nomad_broker_total_ready" in families
    assert families["nomad_runtime_alloc_bytes"].samples[0].value > 0
    memory = families["nomad_client_host_memory_total"].samples[0]
    assert memory.value > 0 and memory.labels["node_id"]
    assert api.get("/v1/metrics", params={"format": "xml"}).status_code == 400
