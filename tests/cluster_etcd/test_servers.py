"""Three servers on etcd: one leader, any server answers, followers forward writes and
see the leader's writes through the etcd watch."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.cluster_etcd.cluster import Cluster, etcd_cluster, rpc_port
from tests.etcd_server import EtcdProcess
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, etcd: EtcdProcess) -> Iterator[Cluster]:
    with etcd_cluster(tmp_path_factory.mktemp("servers"), etcd) as c:
        yield c


def test_one_leader_and_every_server_says_so(cluster: Cluster) -> None:
    leader = cluster.leader()
    for server in cluster.servers:
        peers = httpx.get(f"{server.address}/v1/status/peers", timeout=10).json()
        assert sorted(peers) == sorted(f"127.0.0.1:{rpc_port(s)}" for s in cluster.servers)
        members = httpx.get(f"{server.address}/v1/agent/members", timeout=10).json()["Members"]
        leaders = [m["Name"] for m in members if m["Tags"]["leader"] == "true"]
        assert leaders == [f"{leader.name}.global"]
    out = subprocess.run([CARAVAN, "server", "members"], capture_output=True, text=True,
                         env={**cluster.servers[0].env}, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["Name", "Address", "Port", "Status", "Leader", "Raft",
                                "Version", "Build", "Datacenter", "Region"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {f"s{n}.global" for n in range(3)}
    assert [name for name, row in rows.items() if row[4] == "true"] == [f"{leader.name}.global"]


def test_a_write_to_a_follower_is_forwarded_and_every_server_sees_it(
        cluster: Cluster) -> None:
    follower = cluster.followers()[0]
    job = raw_exec_job("fwd", args=["-c", "exec sleep 3600"])
    reply = httpx.post(f"{follower.address}/v1/jobs", json=job, timeout=10)
    assert reply.status_code == 200, reply.text
    index = reply.json()["JobModifyIndex"]
    for server in cluster.servers:
        got = httpx.get(f"{server.address}/v1/job/fwd", params={"index": str(index - 1),
                                                                 "wait": "20s"}, timeout=30)
        assert got.status_code == 200 and got.json()["ID"] == "fwd"
        assert int(got.headers["X-Nomad-Index"]) >= index
        assert got.headers["X-Nomad-KnownLeader"] == "true"


def test_a_blocking_query_on_a_follower_wakes_on_a_write_through_the_leader(
        cluster: Cluster) -> None:
    leader, follower = cluster.leader(), cluster.followers()[0]
    index = int(httpx.get(f"{follower.address}/v1/jobs", timeout=10)
                .headers["X-Nomad-Index"])
    with httpx.Client(timeout=60) as http:
        import threading
        answer: dict[str, httpx.Response] = {}

        def block() -> None:
            answer["r"] = http.get(f"{follower.address}/v1/jobs",
                                   params={"index": str(index), "wait": "50s"})

        waiter = threading.Thread(target=block)
        waiter.start()
        job = raw_exec_job("woken", args=["-c", "exec sleep 3600"])
        assert httpx.post(f"{leader.address}/v1/jobs", json=job, timeout=10).status_code == 200
        waiter.join(55)
    reply = answer["r"]
    assert int(reply.headers["X-Nomad-Index"]) > index
    assert "woken" in [j["ID"] for j in reply.json()]


def test_servers_share_one_keyring_and_a_variable_reads_back_through_any_server(
        cluster: Cluster) -> None:
    """Started side by side, the servers agree on one root key (issue 16): what the
    leader encrypted for a write sent to one follower decrypts on every server, and
    every server publishes the same signing keys for workload identities."""
    keys = [httpx.get(f"{s.address}/v1/operator/keyring/keys", timeout=10).json()
            for s in cluster.servers]
    assert len(keys[0]) == 1 and all(k == keys[0] for k in keys)
    jwks = [httpx.get(f"{s.address}/.well-known/jwks.json", timeout=10).json()
            for s in cluster.servers]
    assert all(j == jwks[0] for j in jwks)
    writer, reader = cluster.followers()[0], cluster.followers()[1]
    put = httpx.put(f"{writer.address}/v1/var/app/db",
                    json={"Items": {"password": "s3cret"}}, timeout=10)
    assert put.status_code == 200, put.text
    index = put.json()["ModifyIndex"]
    for server in (reader, cluster.leader()):
        got = httpx.get(f"{server.address}/v1/var/app/db",
                        params={"index": str(index - 1), "wait": "20s"}, timeout=30)
        assert got.status_code == 200, got.text
        assert got.json()["Items"] == {"password": "s3cret"}
