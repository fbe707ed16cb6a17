"""python-nomad's calls about the agent and the servers: agent, status, regions,
operator (raft), metrics, search and the event stream."""

from __future__ import annotations

import pytest
from nomad.api import exceptions

from tests.integration.python_nomad.world import World, small_job, wait_stream_event

def get_agent(w: World) -> None:
    agent = w.api.agent.get_agent()
    assert {"config", "member", "stats"} <= set(agent)
    assert agent["stats"]["client"]["node_id"] == w.node_id
    assert agent["member"]["Status"] == "alive"


def get_members(w: World) -> None:
    members = w.api.agent.get_members()
    assert members["ServerRegion"] == "global"
    [member] = members["Members"]
    assert member["Status"] == "alive" and member["Tags"]["role"] == "nomad"
    assert {"Name", "Addr", "Port"} <= set(member)


def _own_http(w: World) -> str:
    return w.agent.address.removeprefix("http://")


def get_servers(w: World) -> None:
    # A caravan client reaches its servers over HTTP: their host:port HTTP addresses.
    assert w.api.agent.get_servers() == [_own_http(w)]


def update_servers(w: World) -> None:
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        w.api_as(None).agent.update_servers(["127.0.0.1:9"])  # needs agent:write
    assert w.api.agent.get_servers() == [_own_http(w)]
    assert w.api.agent.update_servers([_own_http(w), "127.0.0.1:9"]) == 200
    assert w.api.agent.get_servers() == [_own_http(w), "127.0.0.1:9"]
    assert w.api.agent.update_servers([_own_http(w)]) == 200
    assert w.api.agent.get_servers() == [_own_http(w)]
    assert w.api.node.get_node(w.node_id)["Status"] == "ready"


def join_agent(w: World) -> None:
    # Servers find each other through etcd, not gossip: nothing is joined, and the
    # answer (Nomad's joinResult shape) says where to look instead.
    joined = w.api.agent.join_agent([w.api.status.leader.get_leader()])
    assert joined["num_joined"] == 0 and "etcd" in joined["error"]


def force_leave(w: World) -> None:
    # Removing a member that is not failed (or not known) is a no-op for Nomad's serf.
    assert w.api.agent.force_leave("pn-nobody.global") == 200
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        w.api_as(None).agent.force_leave("pn-nobody.global")
    assert w.api.agent.get_members()["Members"][0]["Status"] == "alive"


def get_leader(w: World) -> None:
    leader = w.api.status.leader.get_leader()
    host, _, port = leader.rpartition(":")
    assert host == "127.0.0.1" and int(port) > 0


def get_peers(w: World) -> None:
    assert w.api.status.peers.get_peers() == [w.api.status.leader.get_leader()]


def get_regions(w: World) -> None:
    assert w.api.regions.get_regions() == ["global"]


def get_configuration(w: World) -> None:
    config = w.api.operator.get_configuration()
    [server] = config["Servers"]
    assert server["Address"] == w.api.status.leader.get_leader()
    assert server["Leader"] is True and server["Voter"] is True
    assert server["RaftProtocol"] == "3" and server["ID"] and server["Node"]
    assert config["Index"] > 0 and server["ID"] == server["Node"] == "pn.global"
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        w.api_as(None).operator.get_configuration()  # management only, as in Nomad


def delete_peer(w: World) -> None:
    # python-nomad removes by address; Nomad's raft protocol 3 only removes by ID.
    with pytest.raises(exceptions.BadRequestNomadException) as info:
        w.api.operator.delete_peer(w.api.status.leader.get_leader())
    assert info.value.nomad_resp.text == (
        "Removing a peer by address is not supported in the current raft protocol version")
    # By ID (through python-nomad's own requester): Nomad's text for an unknown one, with
    # a 404 where Nomad answers 500 (caravan answers bad input with a 4xx).
    with pytest.raises(exceptions.URLNotFoundNomadException) as info:
        w.api.operator.request("raft", "peer", params={"id": "nope"}, method="delete")
    assert info.value.nomad_resp.text == 'id "nope" was not found in the Raft configuration'
    assert len(w.api.operator.get_configuration()["Servers"]) == 1


def get_metrics(w: World) -> None:
    metrics = w.api.metrics.get_metrics()
    assert {"Timestamp", "Gauges", "Counters", "Samples"} <= set(metrics)
    assert any(g["Name"].startswith("nomad.") for g in metrics["Gauges"])


def search(w: World) -> None:
    w.running_alloc("pn-svc")
    found = w.api.search.search("pn-s", "jobs")
    assert "pn-svc" in found["Matches"]["jobs"] and found["Truncations"]["jobs"] is False


def fuzzy_search(w: World) -> None:
    w.running_alloc("pn-svc")
    found = w.api.search.fuzzy_search("svc", "jobs")
    assert {"ID": "pn-svc", "Scope": ["default", "pn-svc"]} in found["Matches"]["jobs"]
    assert found["Truncations"]["jobs"] is False


def get_stream(w: World) -> None:
    thread, stop, events = w.api.event.stream.get_stream(topic="Job:pn-streamed")
    thread.daemon = True
    thread.start()
    try:
        w.api.jobs.register_job(small_job("pn-streamed"))
        batch = wait_stream_event(events, "Job")
        event = next(e for e in batch["Events"] if e["Topic"] == "Job")
        assert event["Key"] == "pn-streamed" and event["Type"] == "JobRegistered"
        assert batch["Index"] >= event["Index"] > 0
    finally:
        stop.set()
        w.purge("pn-streamed")


ROWS = [
    ("agent.get_agent", get_agent, None),
    ("agent.get_members", get_members, None),
    ("agent.get_servers", get_servers, None),
    ("agent.update_servers", update_servers, None),
    ("agent.join_agent", join_agent, None),
    ("agent.force_leave", force_leave, None),
    ("status.leader.get_leader", get_leader, None),
    ("status.peers.get_peers", get_peers, None),
    ("regions.get_regions", get_regions, None),
    ("operator.get_configuration", get_configuration, None),
    ("operator.delete_peer", delete_peer, None),
    ("metrics.get_metrics", get_metrics, None),
    ("search.search", search, None),
    ("search.fuzzy_search", fuzzy_search, None),
    ("event.stream.get_stream", get_stream, None),
]
