"""A client that knows three servers keeps its tasks and goes on working when the
server it talks to, the leader, is killed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.cluster_etcd.cluster import Cluster, etcd_cluster
from tests.clusters import running_alloc
from tests.etcd_server import EtcdProcess
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(tmp_path: Path, etcd: EtcdProcess) -> Iterator[Cluster]:
    with etcd_cluster(tmp_path, etcd, heartbeat_ttl="3s") as c:
        yield c


def test_the_client_fails_over_and_keeps_its_running_task(
        cluster: Cluster, tmp_path: Path) -> None:
    leader = cluster.leader()
    # The leader first: the client talks to it until it dies.
    order = [leader, *cluster.followers()]
    client = AgentProcess(root=tmp_path, name="c1", server=False,
                          servers=[s.address.removeprefix("http://") for s in order])
    # Its own readiness probe asks the agent, which forwards to a server.
    try:
        client.start()
        job = raw_exec_job("keep", args=["-c", "exec sleep 3600"])
        got = httpx.post(f"{leader.address}/v1/jobs", json=job, timeout=10)
        assert got.status_code == 200, got.text
        first = wait_until(lambda: running_alloc(leader, "keep"), 60, what="keep running")

        leader.kill()
        new = cluster.leader()
        # The client now pulls from a survivor: a new job reaches it and runs.
        job = raw_exec_job("after", args=["-c", "exec sleep 3600"])
        got = httpx.post(f"{new.address}/v1/jobs", json=job, timeout=10)
        assert got.status_code == 200, got.text
        wait_until(lambda: running_alloc(new, "after"), 60, what="after running")

        allocs = httpx.get(f"{new.address}/v1/job/keep/allocations", timeout=10).json()
        assert [(a["ID"], a["ClientStatus"]) for a in allocs] == [(first, "running")]
        detail = httpx.get(f"{new.address}/v1/allocation/{first}", timeout=10).json()
        assert detail["TaskStates"]["main"]["Restarts"] == 0
        nodes = httpx.get(f"{new.address}/v1/nodes", timeout=10).json()
        assert [n["Status"] for n in nodes] == ["ready"]
        # The CLI pointed at the client agent reaches a live server too.
        via_client = httpx.get(f"{client.address}/v1/job/keep", timeout=30)
        assert via_client.status_code == 200 and via_client.json()["ID"] == "keep"
    finally:
        client.stop()
