"""A server without a client and two client agents, `a` and `b`, shared by a module:
drains move work from `a` to `b`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.agents import AgentProcess
from tests.clusters import server_and_clients


@dataclass
class Pair:
    server: AgentProcess
    http: httpx.Client
    a: str   # node IDs
    b: str


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with server_and_clients(tmp_path_factory.mktemp("drain")) as (server, _, _), \
            httpx.Client(base_url=server.address, timeout=10) as http:
        ids = {n["Name"]: n["ID"] for n in http.get("/v1/nodes").json()}
        yield Pair(server, http, ids["a"], ids["b"])
