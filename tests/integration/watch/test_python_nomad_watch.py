"""python-nomad, unchanged, against a real -dev agent: the calls of this area (event
stream, search, metrics, agent servers, join, force-leave) return what it expects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import nomad
import pytest
from nomad.api import exceptions

from tests.agents import AgentProcess
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(dev_agent: AgentProcess) -> Iterator[nomad.Nomad]:
    url = urlparse(dev_agent.address)
    client = nomad.Nomad(host=url.hostname, port=url.port, timeout=30)
    client.jobs.register_job(raw_exec_job("pn-watch", args=["-c", "exec sleep 300"]))
    yield client
    client.job.deregister_job("pn-watch", purge=True)


def test_event_stream(api: nomad.Nomad) -> None:
    thread, stop, events = api.event.stream.get_stream(index=1, topic=["Job:pn-watch"],
                                                       timeout=60)
    thread.daemon = True
    thread.start()
    try:
        batch: dict[str, Any] = events.get(timeout=60)
        assert batch["Events"][0]["Topic"] == "Job"
        assert batch["Events"][0]["Key"] == "pn-watch"
    finally:
        stop.set()
        # One more event lets the reader see the stop at once instead of at a heartbeat.
        api.jobs.register_job(raw_exec_job("pn-watch", args=["-c", "exec sleep 301"]))
        thread.join(timeout=60)
    assert not thread.is_alive()


def test_search(api: nomad.Nomad) -> None:
    found = api.search.search("pn-wat", "jobs")
    assert found["Matches"]["jobs"] == ["pn-watch"]
    fuzzy = api.search.fuzzy_search("n-watc", "jobs")
    assert {"ID": "pn-watch", "Scope": ["default", "pn-watch"]} in fuzzy["Matches"]["jobs"]


def test_metrics(api: nomad.Nomad) -> None:
    metrics = api.metrics.get_metrics()
    assert any(g["Name"] == "nomad.nomad.broker.total_ready" for g in metrics["Gauges"])


def test_agent_servers_join_and_force_leave(api: nomad.Nomad) -> None:
    servers = api.agent.get_servers()
    assert servers and all(":" in s and "://" not in s for s in servers)  # "host:port"
    # Setting the same servers again keeps the agent working.
    assert api.agent.update_servers(servers) == 200
    assert api.agent.get_servers() == servers
    joined = api.agent.join_agent(["127.0.0.1:4648"])
    assert joined["num_joined"] == 0 and "etcd" in joined["error"]
    assert api.agent.force_leave("no-such-server") == 200
    with pytest.raises(exceptions.BaseNomadException):
        api.agent.update_servers([])
    # A bad address is refused before it replaces the list the client works with.
    with pytest.raises(exceptions.BaseNomadException) as refused:
        api.agent.update_servers([*servers, "127.0.0.1:notaport"])
    assert 'invalid server address "127.0.0.1:notaport"' in refused.value.nomad_resp.text
    assert api.agent.get_servers() == servers
