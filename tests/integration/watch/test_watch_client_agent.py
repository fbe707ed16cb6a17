"""A server agent and a client-only agent: the client agent relays the event stream to a
server as it arrives, answers /v1/metrics itself, and a monitor asked of the server for
the client's node is forwarded to the client's agent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job
from tests.integration.watch.stream import EventStream

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def agents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AgentProcess,
                                                                      AgentProcess]]:
    root: Path = tmp_path_factory.mktemp("watch-client")
    server = AgentProcess(root=root, name="server", dev=False, client=False)
    started: list[AgentProcess] = []
    try:
        started.append(server.start())
        client = AgentProcess(root=root, name="client", server=False,
                              servers=[server.address.removeprefix("http://")])
        started.append(client.start())
        wait_until(lambda: httpx.get(f"{server.address}/v1/nodes", timeout=10).json(), 30,
                   what="the client's node")
        yield server, client
    finally:
        for agent in reversed(started):
            agent.stop()


def test_the_event_stream_through_a_client_agent(
        agents: tuple[AgentProcess, AgentProcess]) -> None:
    server, client = agents
    stream = EventStream(client.address, [("topic", "Job:relayed")])
    assert stream.status == 200
    try:
        job = raw_exec_job("relayed", args=["-c", "exec sleep 300"])
        assert httpx.post(f"{server.address}/v1/jobs", json=job, timeout=10).status_code == 200
        events = stream.events_until(lambda found: bool(found))
    finally:
        stream.close()
        httpx.delete(f"{server.address}/v1/job/relayed", params={"purge": "true"}, timeout=10)
    assert events[0]["Type"] == "JobRegistered" and events[0]["Key"] == "relayed"


def test_metrics_are_each_agents_own(agents: tuple[AgentProcess, AgentProcess]) -> None:
    server, client = agents
    on_client = {g["Name"] for g in httpx.get(f"{client.address}/v1/metrics",
                                              timeout=10).json()["Gauges"]}
    on_server = {g["Name"] for g in httpx.get(f"{server.address}/v1/metrics",
                                              timeout=10).json()["Gauges"]}
    assert "nomad.client.allocations.running" in on_client
    assert "nomad.nomad.broker.total_ready" not in on_client  # not relayed to the server
    assert "nomad.nomad.broker.total_ready" in on_server
    assert "nomad.client.allocations.running" not in on_server


def test_a_monitor_for_the_clients_node_is_forwarded(
        agents: tuple[AgentProcess, AgentProcess]) -> None:
    server, _ = agents
    node_id = httpx.get(f"{server.address}/v1/nodes", timeout=10).json()[0]["ID"]
    stream = EventStream(server.address, [("node_id", node_id)], path="/v1/agent/monitor")
    try:
        assert stream.status == 200
        frames = stream.frames_until(lambda found: bool(found))
    finally:
        stream.close()
    assert frames[0]["Data"]
    unknown = httpx.get(f"{server.address}/v1/agent/monitor",
                        params={"node_id": "no-such-node"}, timeout=10)
    assert unknown.status_code == 404
