"""What a port-forward may reach: only ports the allocation holds on its node. Tasks
share the node's network, so anything else would open the node's loopback (the agent's
own API, a local database, other allocations) to anyone holding `alloc-port-forward`."""

from __future__ import annotations

import asyncio
import socket

import pytest

from caravan.api import Client
from caravan.api.errors import APIError
from caravan.api.port_forward import PortForwardError, port_forward
from tests.integration.port_forward.conftest import Served
from tests.integration.port_forward.servers import ports

pytestmark = pytest.mark.integration


async def _exchange(address: str, alloc_id: str, port: int | str, request: bytes) -> bytes:
    with Client(address, env={}) as client:
        async with asyncio.timeout(60), port_forward(client, alloc_id, port) as conn:
            await conn.send(request)
            await conn.send_eof()
            answer = b""
            while (data := await conn.recv()) is not None:
                answer += data
            return answer


def test_a_port_of_the_allocation_answers_through_the_api(served: Served) -> None:
    answer = asyncio.run(_exchange(served.agent.address, served.raw["ID"], "digest", b"abc"))
    assert answer.startswith(b"3 ba7816bf")


@pytest.mark.parametrize("which", ["agent", "other-alloc", "unowned"])
def test_a_node_port_the_allocation_does_not_hold_is_refused(served: Served,
                                                             which: str) -> None:
    """The agent's own HTTP port, another allocation's port, and a listener on the node's
    loopback that no allocation holds: each reachable from the node, none forwarded."""
    with socket.create_server(("127.0.0.1", 0)) as unowned:
        target = {"agent": served.agent.port, "other-alloc": ports(served.iso)["http"],
                  "unowned": unowned.getsockname()[1]}[which]
        with pytest.raises(PortForwardError, match=f"port {target} is not a port of "
                           f"allocation {served.raw['ID'][:8]}; its ports: http="):
            asyncio.run(_exchange(served.agent.address, served.raw["ID"], target,
                                  b"GET / HTTP/1.0\r\n\r\n"))


@pytest.mark.parametrize("port, message", [
    ("0", "port 0 is out of range"), ("65536", "port 65536 is out of range"),
    ("-1", "invalid port"), ("", "invalid port"), ("../exec", "invalid port"),
    ("http x", "invalid port")])
def test_a_malformed_port_is_a_400_before_the_upgrade(served: Served, port: str,
                                                      message: str) -> None:
    with pytest.raises(APIError, match=message) as caught:
        asyncio.run(_exchange(served.agent.address, served.raw["ID"], port, b""))
    assert caught.value.status == 400


def test_an_unknown_label_names_the_ports_there_are(served: Served) -> None:
    with pytest.raises(PortForwardError, match='port nope is not a port .* its ports: '
                       r'http=\d+, digest=\d+, idle=\d+'):
        asyncio.run(_exchange(served.agent.address, served.raw["ID"], "nope", b""))
