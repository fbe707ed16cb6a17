"""Port-forward through a second agent: a server agent (no client of its own) relays each
connection to the client agent whose node runs the allocation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from caravan.api.port_forward import PortForwardError
from tests.agents import AgentProcess
from tests.integration.port_forward.servers import forward_job, run_served
from tests.integration.port_forward.test_reach import _exchange

pytestmark = pytest.mark.integration


@dataclass
class Pair:
    server: AgentProcess
    client: AgentProcess
    alloc: dict[str, Any]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("pfcluster")
    server = AgentProcess(root=root, name="server", dev=False, client=False)
    client = AgentProcess(root=root, name="b", server=False,
                          servers=[f"127.0.0.1:{server.port}"])
    try:
        server.start()
        client.start()  # dev: its allocations are destroyed when it stops
        yield Pair(server, client, run_served(server, forward_job("far", "raw_exec")))
    finally:
        client.stop()
        server.stop()


async def _get_all(address: str, alloc_id: str, n: int) -> list[bytes]:
    request = b"GET / HTTP/1.0\r\n\r\n"
    return await asyncio.gather(*(_exchange(address, alloc_id, "http", request)
                                  for _ in range(n)))


def test_20_concurrent_requests_relayed_by_the_server_agent(pair: Pair) -> None:
    answers = asyncio.run(_get_all(pair.server.address, pair.alloc["ID"], 20))
    assert len(answers) == 20
    for answer in answers:
        assert answer.startswith(b"HTTP/1.0 200 OK") and answer.endswith(b"\r\n\r\nfar-index\n")


def test_half_close_through_the_relay(pair: Pair) -> None:
    data = b"x" * 300_000
    answer = asyncio.run(_exchange(pair.server.address, pair.alloc["ID"], "digest", data))
    assert answer.startswith(b"300000 ")


def test_nothing_listening_comes_back_through_the_relay(pair: Pair) -> None:
    with pytest.raises(PortForwardError, match="connection refused: nothing listens on port"):
        asyncio.run(_exchange(pair.server.address, pair.alloc["ID"], "idle", b"hello"))
