"""`alloc debug` through other agents: a server and a second client forward the session to
the node that ran the task, as they do exec's."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from websockets.exceptions import ConnectionClosed

from tests.agents import CARAVAN, AgentProcess
from tests.clusters import server_and_clients
from tests.integration.alloc_debug.conftest import crashed_job, debug, open_debug, wait_failed
from tests.integration.exec_driver.helpers import run

pytestmark = pytest.mark.integration


@dataclass
class Cluster:
    server: AgentProcess
    a: AgentProcess
    b: AgentProcess
    alloc_id: str


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with server_and_clients(tmp_path_factory.mktemp("debug-cluster")) as (server, a, b):
        job = crashed_job("far")
        job["Job"]["Constraints"] = [
            {"LTarget": "${node.unique.name}", "RTarget": "b", "Operand": "="}]
        alloc = run(server, job)
        wait_failed(server, alloc)
        yield Cluster(server, a, b, alloc["ID"])


def test_through_the_server_and_through_another_client(cluster: Cluster) -> None:
    expected = ("ok", 0, f"left-by-{cluster.alloc_id}\n")
    assert debug(cluster.server, cluster.alloc_id, ["cat", "/local/crash.txt"]) == expected
    assert debug(cluster.a, cluster.alloc_id, ["cat", "/local/crash.txt"]) == expected


def test_the_cli_through_a_client_that_does_not_hold_it(cluster: Cluster) -> None:
    done = subprocess.run([CARAVAN, "alloc", "debug", "-t=false", cluster.alloc_id[:8],
                           "/bin/sh", "-c", "id -u; exit 5"], capture_output=True,
                          stdin=subprocess.DEVNULL, env=cluster.a.env, timeout=120,
                          check=False)
    assert (done.returncode, done.stdout) == (5, b"65534\n"), done.stderr


def test_a_node_asked_as_the_node_answers_instead_of_relaying_back(cluster: Cluster) -> None:
    """`node_hop=true` is how a server relays to the alloc's node; a node without the alloc
    must answer, not send it back to the server (which would send it back here)."""
    with open_debug(cluster.a, cluster.alloc_id, ["true"], extra={"node_hop": "true"}) as ws, \
            pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=30)
    assert closed.value.rcvd is not None
    assert "garbage collected" in closed.value.rcvd.reason
