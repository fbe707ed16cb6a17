"""Cut the leader off from etcd: it stops acting as leader before its lease can expire
and another server be elected; healed, it rejoins as a follower."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.cluster_etcd.cluster import Cluster, etcd_cluster
from tests.etcd_server import EtcdProcess
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(tmp_path: Path, etcd: EtcdProcess) -> Iterator[Cluster]:
    with etcd_cluster(tmp_path, etcd, relays=True) as c:
        yield c


def _leads(server: AgentProcess) -> bool:
    stats = httpx.get(f"{server.address}/v1/agent/self", timeout=10).json()["stats"]
    return bool(stats["nomad"]["leader"] == "true")


def test_a_leader_cut_off_from_etcd_stops_leading_before_another_is_elected(
        cluster: Cluster) -> None:
    old = cluster.leader()
    others = [s for s in cluster.servers if s is not old]
    cluster.relays[old.name].cut()
    overlaps = []

    def new_leader() -> AgentProcess | None:
        # Ask the others first: if one leads and the old one still says it leads
        # afterwards, two servers acted as leader at once.
        leading = [s for s in others if _leads(s)]
        if leading and _leads(old):
            overlaps.append(leading[0].name)
        return leading[0] if leading and not _leads(old) else None

    new = wait_until(new_leader, 60, interval_s=0.05, what="a new leader")
    assert overlaps == []
    assert not _leads(old)

    # The old leader's HTTP still answers; it forwards nothing while it knows no leader.
    job = raw_exec_job("cut", args=["-c", "exec sleep 3600"])
    reply = httpx.post(f"{old.address}/v1/jobs", json=job, timeout=30)
    assert reply.status_code == 500 and "No cluster leader" in reply.text

    cluster.relays[old.name].heal()
    assert cluster.leader() is new
    reply = wait_until(lambda: _post_ok(old, job), 60, what="a write through the healed server")
    index = reply.json()["JobModifyIndex"]
    got = httpx.get(f"{old.address}/v1/job/cut", params={"index": str(index - 1)}, timeout=30)
    assert got.status_code == 200 and got.json()["ID"] == "cut"


def _post_ok(server: AgentProcess, job: dict[str, object]) -> httpx.Response | None:
    reply = httpx.post(f"{server.address}/v1/jobs", json=job, timeout=30)
    return reply if reply.status_code == 200 else None
