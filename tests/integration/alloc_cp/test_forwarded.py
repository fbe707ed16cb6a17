"""`alloc cp` through agents that do not run the allocation: the server relays the session
to the node's agent, and a client-only agent relays it to its server, as for exec.

One server agent and two client agents; the job runs on client `b` only.
"""

from __future__ import annotations

import asyncio
import io
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from caravan.api import Client
from caravan.api.copy import CopyRequest, copy_session
from tests.agents import AgentProcess, wait_until
from tests.integration.alloc_cp.helpers import sha256
from tests.integration.alloc_cp.tars import build
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@dataclass
class Cluster:
    server: AgentProcess
    a: AgentProcess
    b: AgentProcess
    alloc_id: str


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cpfwd")
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
        job = raw_exec_job("far", args=["-c", "exec sleep 3600"], constraints=[
            {"LTarget": "${node.unique.name}", "RTarget": "b", "Operand": "="}])
        httpx.post(f"{server.address}/v1/jobs", json=job, timeout=10).raise_for_status()
        yield Cluster(server, started[1], started[2], wait_until(
            lambda: _running(server), 60, what="far running on b"))
    finally:
        for agent in reversed(started):
            agent.stop()


def _running(server: AgentProcess) -> str | None:
    allocs = httpx.get(f"{server.address}/v1/job/far/allocations", timeout=10).json()
    return next((a["ID"] for a in allocs if a["ClientStatus"] == "running"), None)


async def _copy(agent: AgentProcess, alloc_id: str, request: CopyRequest,
                stdin: bytes = b"") -> tuple[int | None, bytes, bytes]:
    """No node ID: the session goes to `agent`, which must forward it."""
    out, err = b"", b""
    async with copy_session(Client(address=agent.address), alloc_id, "main",
                            request) as copy:
        if request.direction == "upload":
            await copy.send_stdin(stdin)
            await copy.close_stdin()
        async for frame in copy:
            if frame.stream == "stdout":
                out += frame.data
            else:
                err += frame.data
    return copy.exit_code, out, err


@pytest.mark.parametrize("via", ["server", "a"])
def test_cp_both_ways_through_another_agent(cluster: Cluster, via: str,
                                            tmp_path: Path) -> None:
    agent = cluster.server if via == "server" else cluster.a
    payload = bytes(range(256)) * 40_000  # 10 MB
    tar = build(("dir", f"in-{via}", b"", 0o750),
                ("file", f"in-{via}/blob", payload, 0o640))
    code, _, err = asyncio.run(_copy(agent, cluster.alloc_id, CopyRequest("upload", "local"),
                                     tar))
    assert code == 0, err
    landed = cluster.b.data_dir / "alloc" / cluster.alloc_id / "main" / "local" / f"in-{via}"
    assert (landed / "blob").read_bytes() == payload
    assert landed.stat().st_mode & 0o777 == 0o750

    code, out, err = asyncio.run(_copy(agent, cluster.alloc_id,
                                       CopyRequest("download", f"local/in-{via}/blob")))
    assert code == 0, err
    with tarfile.open(fileobj=io.BytesIO(out)) as got:
        member = got.extractfile("blob")
        assert member is not None
        (tmp_path / "blob").write_bytes(member.read())
    assert sha256(tmp_path / "blob") == sha256(landed / "blob")


def test_a_refusal_comes_back_through_the_relay(cluster: Cluster) -> None:
    code, _, err = asyncio.run(_copy(cluster.a, cluster.alloc_id,
                                     CopyRequest("upload", "local"),
                                     build(("file", "../out", b"x", 0o644))))
    assert code == 1 and b"'..' in its path" in err
