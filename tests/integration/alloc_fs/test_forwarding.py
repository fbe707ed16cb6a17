"""alloc fs through any agent: a server and client `a` forward to client `b`, which runs it."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from tests.agents import wait_until
from tests.clusters import RelayCluster, relay_cluster
from tests.integration.alloc_fs.fixture import SCRIPT
from tests.integration.alloc_fs.test_routes import frames

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayCluster]:
    with relay_cluster(tmp_path_factory.mktemp("fs-cluster"), SCRIPT) as started:
        wait_until(lambda: httpx.get(f"{started.server.address}/v1/client/fs/stat/"
                                     f"{started.alloc_id}", params={"path": "main/local/ready"},
                                     timeout=10).status_code == 200, 60, what="task files")
        yield started


@pytest.mark.parametrize("through", ["server", "a"])
def test_every_route_reaches_the_node_that_runs_the_alloc(cluster: RelayCluster,
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
