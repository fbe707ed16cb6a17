"""The agent's own endpoints on a real -dev agent: /v1/metrics (Nomad's JSON and the
Prometheus text), /v1/agent/monitor and `caravan monitor`, /v1/agent/self's stats and
`caravan agent-info`, /v1/agent/health."""

from __future__ import annotations

import base64
import json
import select
import subprocess
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job
from tests.integration.watch.stream import EventStream

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


def _frames(agent: AgentProcess, params: dict[str, str]) -> EventStream:
    """A monitor stream read with the event-stream reader (one JSON frame per line)."""
    stream = EventStream(agent.address, list(params.items()), path="/v1/agent/monitor")
    assert stream.status == 200
    return stream


def _text(lines: list[dict[str, str]]) -> str:
    return "".join(base64.b64decode(f["Data"]).decode() for f in lines if f.get("Data"))


def test_monitor_streams_the_agents_log_lines_by_level(dev_agent: AgentProcess) -> None:
    watcher = _frames(dev_agent, {"log_level": "info"})
    try:
        seen = watcher.frames_until(lambda f: "level INFO" in _text(f))
        assert "[INFO]" in _text(seen) and "caravan.http.agent_monitor" in _text(seen)
        quiet = _frames(dev_agent, {"log_level": "error", "log_json": "true"})
        try:
            # The info watcher sees the second one arrive; the error one sees no info line.
            watcher.frames_until(lambda f: "level ERROR" in _text(f))
            assert quiet.frames_until(lambda f: quiet.heartbeats >= 1) == []
        finally:
            quiet.close()
    finally:
        watcher.close()


def test_monitor_json_lines(dev_agent: AgentProcess) -> None:
    stream = _frames(dev_agent, {"log_level": "debug", "log_json": "true"})
    try:
        text = _text(stream.frames_until(lambda f: "level DEBUG" in _text(f)))
    finally:
        stream.close()
    record = next(json.loads(line) for line in text.splitlines() if "level DEBUG" in line)
    assert record["@level"] == "info" and record["@module"] == "caravan.http.agent_monitor"
    assert "@timestamp" in record and "@message" in record


def test_monitor_refuses_an_unknown_level(api: httpx.Client) -> None:
    reply = api.get("/v1/agent/monitor", params={"log_level": "loud"})
    assert reply.status_code == 400 and "Unknown log level" in reply.text


def test_caravan_monitor_prints_log_lines(dev_agent: AgentProcess) -> None:
    with subprocess.Popen([CARAVAN, "monitor", "-log-level=info"], env=dev_agent.env,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        try:
            assert proc.stdout is not None
            seen = ""
            while "streaming this agent's logs at level INFO" not in seen:
                ready, _, _ = select.select([proc.stdout], [], [], 60)
                assert ready, f"no such log line within 60 s: {seen!r}"
                seen = proc.stdout.readline().decode()
                assert seen, f"caravan monitor ended (exit {proc.poll()})"
            assert "[INFO]" in seen
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_agent_self_stats_and_agent_info(dev_agent: AgentProcess, api: httpx.Client) -> None:
    body = api.get("/v1/agent/self").json()
    stats = body["stats"]
    assert {"runtime", "nomad", "raft", "serf", "client"} <= set(stats)
    assert all(isinstance(v, str) for section in stats.values() for v in section.values())
    assert stats["nomad"]["leader"] == "true" and stats["raft"]["state"] == "Leader"
    assert stats["client"]["node_id"]
    assert body["config"]["Region"] == "global" and body["config"]["ACL"]["Enabled"] is False
    assert body["config"]["Version"]["Version"]
    out = subprocess.run([CARAVAN, "agent-info"], env=dev_agent.env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    sections = [line for line in lines if not line.startswith(" ")]
    assert sections == sorted(sections) and "runtime" in sections
    assert f"  node_id = {stats['client']['node_id']}" in lines
    as_json = subprocess.run([CARAVAN, "agent-info", "-json"], env=dev_agent.env,
                             capture_output=True, text=True, timeout=60)
    assert json.loads(as_json.stdout)["stats"]["client"]["node_id"] == stats["client"]["node_id"]


def test_agent_health(api: httpx.Client) -> None:
    reply = api.get("/v1/agent/health")
    assert reply.status_code == 200
    assert reply.json() == {"client": {"ok": True, "message": "ok"},
                            "server": {"ok": True, "message": "ok"}}
    only = api.get("/v1/agent/health", params={"type": "server"})
    assert only.json() == {"server": {"ok": True, "message": "ok"}}


def test_a_debug_monitor_leaves_the_agents_own_log_at_its_level(
        dev_agent: AgentProcess) -> None:
    monitor = _frames(dev_agent, {"log_level": "debug"})
    try:
        monitor.frames_until(lambda f: "level DEBUG" in _text(f))
        stream = EventStream(dev_agent.address, [("topic", "Job:debug-marker")])
        stream.close()
        seen = _text(monitor.frames_until(lambda f: "debug-marker" in _text(f)))
    finally:
        monitor.close()
    assert "[DEBUG]" in seen and "event stream opened" in seen
    own = dev_agent.logs()
    assert "streaming this agent's logs at level DEBUG" in own  # its INFO lines are there
    assert "debug-marker" not in own  # but not the DEBUG ones only the monitor asked for
