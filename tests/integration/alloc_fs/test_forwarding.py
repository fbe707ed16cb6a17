"""alloc fs through any agent: a server and client `a` forward to client `b`, which runs it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.integration.alloc_fs.fixture import SCRIPT
from tests.integration.alloc_fs.test_routes import frames
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@dataclass
class Cluster:
    server: AgentProcess
    a: AgentProcess
    alloc_id: str


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("fs-cluster")
    server = AgentProcess(root=root, name="server", dev=False, client=False)
    started: list[AgentProcess] = []
    try:
        started.append(server.start())
        addr = server.address.removeprefix("http://")
        for name in ("a", "b"):
            started.append(AgentProcess(root=root, name=name, server=False,
                                        servers=[addr]).start())
        wait_until(lambda: len(httpx.get(f"{server.address}/v1/nodes", timeout=10).json())
                   == 2, 30, what="two nodes")
        job = raw_exec_job("far", args=["-c", SCRIPT], constraints=[
            {"LTarget": "${node.unique.name}", "RTarget": "b", "Operand": "="}])
        httpx.post(f"{server.address}/v1/jobs", json=job, timeout=10).raise_for_status()
        alloc_id = wait_until(lambda: _running(server), 60, what="far running on b")
        wait_until(lambda: httpx.get(f"{server.address}/v1/client/fs/stat/{alloc_id}",
                                     params={"path": "main/local/ready"}, timeout=10)
                   .status_code == 200, 60, what="task files")
        yield Cluster(server, started[1], alloc_id)
    finally:
        for agent in reversed(started):
            agent.stop()


def _running(server: AgentProcess) -> str | None:
    for stub in httpx.get(f"{server.address}/v1/job/far/allocations", timeout=10).json():
        if stub["ClientStatus"] == "running":
            return str(stub["ID"])
    return None


@pytest.mark.parametrize("through", ["server", "a"])
def test_every_route_reaches_the_node_that_runs_the_alloc(cluster: Cluster,
                                                          through: str) -> None:
    agent = cluster.server if through == "server" else cluster.a
    base = f"{agent.address}/v1/client/fs"

    def get(route: str, **params: str) -> httpx.Response:
        return httpx.get(f"{base}/{route}/{cluster.alloc_id}", params=params, timeout=10)

    assert "hello.txt" in {e["Name"] for e in get("ls", path="main/local").json()}
    assert get("stat", path="main/local/hello.txt").json()["Size"] == 16
    assert get("cat", path="main/local/hello.txt").text == "hello from main\n"
    assert get("readat", path="main/local/hello.txt", offset="6", limit="4").text == "from"
    body = get("stream", path="main/local/hello.txt", follow="false").content
    assert b"".join(base64.b64decode(f["Data"]) for f in frames(body) if "Data" in f) == \
        b"hello from main\n"
    refused = get("cat", path="main/SECRETS/token")
    assert refused.status_code == 403 and "prohibited" in refused.text
    link = get("cat", path="main/local/shadow")
    assert link.status_code == 400 and "symlink" in link.text
