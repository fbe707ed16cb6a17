"""Two servers on etcd: a follower streams the leader's commits (its replay feeds its own
broker) with the same indexes the leader streams, purges included."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.cluster_etcd.cluster import Cluster, etcd_cluster
from tests.etcd_server import EtcdProcess
from tests.integration.jobs import raw_exec_job
from tests.integration.watch.stream import Event, EventStream

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, etcd: EtcdProcess) -> Iterator[Cluster]:
    with etcd_cluster(tmp_path_factory.mktemp("events-etcd"), etcd, count=2) as c:
        yield c


def _purged(events: list[Event]) -> bool:
    return any(e["Type"] == "JobDeregistered" for e in events)


def test_a_follower_streams_the_leaders_commits(cluster: Cluster) -> None:
    leader = cluster.leader()
    follower = cluster.followers()[0]
    params = [("topic", "Job:replayed")]
    streams = [EventStream(s.address, params) for s in (leader, follower)]
    try:
        assert [s.status for s in streams] == [200, 200]
        job = raw_exec_job("replayed", args=["-c", "exec sleep 3600"])
        assert httpx.post(f"{leader.address}/v1/jobs", json=job, timeout=10).status_code == 200
        assert httpx.delete(f"{leader.address}/v1/job/replayed", params={"purge": "true"},
                            timeout=10).status_code == 200
        seen = [s.events_until(_purged) for s in streams]
    finally:
        for stream in streams:
            stream.close()
    on_leader, on_follower = ([(e["Index"], e["Type"]) for e in found] for found in seen)
    assert on_follower == on_leader
    assert on_follower[0][1] == "JobRegistered"
    purge = next(e for e in seen[1] if e["Type"] == "JobDeregistered")
    # The follower read the purged job from its own memory before applying the delete.
    assert purge["Payload"]["Deleted"] is True and purge["Payload"]["Job"]["ID"] == "replayed"
