"""python-nomad's server calls against servers on etcd, asked through a follower: the
Raft configuration lists every server with the leader marked, and removing a live
peer is refused with what to do."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import nomad
import pytest
import requests
from nomad.api import exceptions

from tests.cluster_etcd.cluster import Cluster, etcd_cluster, rpc_port
from tests.etcd_server import EtcdProcess

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, etcd: EtcdProcess) -> Iterator[Cluster]:
    with etcd_cluster(tmp_path_factory.mktemp("pn-etcd"), etcd, count=2) as c:
        yield c


@pytest.fixture(scope="module")
def follower_api(cluster: Cluster) -> Iterator[nomad.Nomad]:
    url = urlparse(cluster.followers()[0].address)
    with requests.Session() as session:
        yield nomad.Nomad(host=url.hostname, port=url.port, timeout=15, session=session)


def test_raft_configuration_lists_every_server(cluster: Cluster,
                                               follower_api: nomad.Nomad) -> None:
    leader = cluster.leader()
    config = follower_api.operator.get_configuration()
    by_name = {s["Node"]: s for s in config["Servers"]}
    assert set(by_name) == {f"{s.name}.global" for s in cluster.servers}
    for server in cluster.servers:
        entry = by_name[f"{server.name}.global"]
        assert entry["Address"] == f"127.0.0.1:{rpc_port(server)}"
        assert entry["Leader"] is (server is leader) and entry["Voter"] is True
    assert follower_api.status.leader.get_leader() == by_name[f"{leader.name}.global"]["Address"]


def test_removing_a_live_peer_is_refused(cluster: Cluster, follower_api: nomad.Nomad) -> None:
    name = f"{cluster.leader().name}.global"
    with pytest.raises(exceptions.BadRequestNomadException) as info:
        follower_api.operator.request("raft", "peer", params={"id": name}, method="delete")
    assert "lease expires" in info.value.nomad_resp.text
    assert len(follower_api.operator.get_configuration()["Servers"]) == 2
