"""A server without a client and two client agents, `a` and `b`, shared by a module:
drains move work from `a` to `b`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.agents import AgentProcess, wait_until


@dataclass
class Pair:
    server: AgentProcess
    http: httpx.Client
    a: str   # node IDs
    b: str


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("drain")
    server = AgentProcess(root=root, name="server", dev=False, client=False)
    started: list[AgentProcess] = []
    try:
        started.append(server.start())
        addr = server.address.removeprefix("http://")
        for name in ("a", "b"):
            # dev=True: on stop the client destroys its allocations; no task outlives us
            started.append(AgentProcess(root=root, name=name, server=False,
                                        servers=[addr]).start())
        with httpx.Client(base_url=server.address, timeout=10) as http:
            nodes = wait_until(lambda: (n := http.get("/v1/nodes").json()) and len(n) == 2
                               and n, 30, what="two nodes")
            ids = {n["Name"]: n["ID"] for n in nodes}
            yield Pair(server, http, ids["a"], ids["b"])
    finally:
        for agent in reversed(started):
            agent.stop()
