"""Sessions into an allocation on another client agent: forwarded by the server (issue 4).

One server agent and two client agents; the job runs on client `b` only.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from caravan.api import Client
from caravan.api.exec import ExecError, exec_session
from tests.agents import CARAVAN, AgentProcess, host_processes, wait_until
from tests.clusters import running_alloc, server_and_clients
from tests.integration.exec_more.wsexec import ws_exec
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
    with server_and_clients(tmp_path_factory.mktemp("cluster")) as (server, a, b):
        job = raw_exec_job("far", args=["-c", "exec sleep 3600"], constraints=[
            {"LTarget": "${node.unique.name}", "RTarget": "b", "Operand": "="}])
        job["Job"]["TaskGroups"][0]["Tasks"][0]["Actions"] = [
            {"Name": "where", "Command": "/bin/sh", "Args": ["-c", "echo on $node"]}]
        job["Job"]["TaskGroups"][0]["Tasks"][0]["Env"] = {"node": "b"}
        httpx.post(f"{server.address}/v1/jobs", json=job, timeout=10).raise_for_status()
        alloc_id = wait_until(lambda: running_alloc(server, "far"), 60, what="far running on b")
        yield Cluster(server, a, b, alloc_id)


def _get(agent: AgentProcess, path: str) -> Any:
    return httpx.get(f"{agent.address}{path}", timeout=10).json()


async def _session(address: str, alloc_id: str, command: list[str], stdin: bytes = b"",
                   tty: bool = False, size: tuple[int, int] | None = None,
                   node_id: str | None = None) -> tuple[int | None, bytes]:
    """Through `address` (no direct dial unless `node_id`): (exit code, stdout)."""
    out = b""
    with Client(address, env={}) as client:
        async with exec_session(client, alloc_id, "main", command, tty=tty,
                                node_id=node_id) as session:
            if size:
                await session.resize(*size)
            await session.send_stdin(stdin)
            if not tty:
                await session.close_stdin()
            async for chunk in session:
                out += chunk.data
            return session.exit_code, out


def test_cli_through_the_server_reaches_the_other_client(cluster: Cluster) -> None:
    done = subprocess.run([CARAVAN, "alloc", "exec", cluster.alloc_id[:8], "/bin/sh", "-c",
                           "echo $NOMAD_ALLOC_ID; exit 9"], capture_output=True,
                          env=cluster.server.env, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)
    assert (done.returncode, done.stdout) == (9, f"{cluster.alloc_id}\n".encode())


def test_server_relays_a_session_to_the_node(cluster: Cluster) -> None:
    code, out = asyncio.run(_session(cluster.server.address, cluster.alloc_id,
                                     ["/bin/sh", "-c", "cat; pwd; exit 3"], b"via server\n"))
    assert code == 3
    assert out == b"via server\n" + str(
        cluster.b.data_dir.resolve() / "alloc" / cluster.alloc_id / "main").encode() + b"\n"


def test_a_client_without_the_allocation_relays_through_its_server(cluster: Cluster) -> None:
    code, out = asyncio.run(_session(cluster.a.address, cluster.alloc_id, ["cat"],
                                     b"\x00\xffbinary\n" * 1000))
    assert (code, out) == (0, b"\x00\xffbinary\n" * 1000)


def test_tty_session_through_the_relay(cluster: Cluster) -> None:
    code, out = asyncio.run(_session(cluster.server.address, cluster.alloc_id, ["/bin/sh"],
                                     b"stty size; exit 6\n", tty=True, size=(42, 99)))
    assert code == 6 and b"42 99\r\n" in out


def test_closing_a_relayed_session_ends_the_command(cluster: Cluster) -> None:
    marker = "sleep 4321.5"

    async def start_and_leave() -> None:
        with Client(cluster.server.address, env={}) as client:
            async with exec_session(client, cluster.alloc_id, "main",
                                    ["/bin/sh", "-c", f"echo started; {marker}"]) as session:
                assert (await anext(session)).data == b"started\n"
                wait_until(lambda: host_processes(marker), 30, what="the command to run")

    asyncio.run(start_and_leave())
    wait_until(lambda: not host_processes(marker), 30, what="the relayed command to end")


def test_a_job_action_and_exec_as_user_go_through_any_agent(cluster: Cluster) -> None:
    """The action route is relayed as it came (`/v1/job/<id>/action`, Nomad's query) and
    resolved on b; `-u` reaches b's driver, whose empty `allow_exec_users` refuses it."""
    query = {"action": "where", "allocID": cluster.alloc_id, "task": "main", "group": "main",
             "tty": "false"}
    for via in (cluster.server, cluster.a):
        assert ws_exec(via.address, "/v1/job/far/action", query) == ("ok", 0, "on b\n")
        refused = ws_exec(via.address, f"/v1/client/allocation/{cluster.alloc_id}/exec",
                          {"task": "main", "command": '["id"]', "user": "daemon"})
        assert refused[0] == "closed" and 'exec as user "daemon" is not allowed' in refused[2]


def test_unreachable_node_is_no_path_to_node_then_node_down(cluster: Cluster) -> None:
    """Last in this module: the server marks `b` down, which changes its allocation."""
    assert cluster.b.proc is not None
    node_id = _get(cluster.server, "/v1/allocation/" + cluster.alloc_id)["NodeID"]
    os.kill(cluster.b.proc.pid, signal.SIGSTOP)  # b's port still accepts, but b never answers
    try:
        with pytest.raises(ExecError, match="^No path to node$"):
            asyncio.run(_session(cluster.server.address, cluster.alloc_id, ["true"]))
        wait_until(lambda: _get(cluster.server, f"/v1/node/{node_id}")["Status"] == "down",
                   60, what="b marked down")
        with pytest.raises(ExecError, match="^node down$"):  # the client library checks first
            asyncio.run(_session(cluster.server.address, cluster.alloc_id, ["true"],
                                 node_id=node_id))
    finally:
        os.kill(cluster.b.proc.pid, signal.SIGCONT)


