"""Agents for relay tests: one server agent without a client, two client-only agents `a`
and `b`, and a raw_exec job pinned to `b`. Sessions opened through the server or
through `a` must be relayed to `b`'s agent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job


@dataclass
class RelayCluster:
    server: AgentProcess
    a: AgentProcess
    b: AgentProcess
    alloc_id: str  # the job's allocation, running on b


@contextmanager
def server_and_clients(root: Path, names: tuple[str, ...] = ("a", "b"), *,
                       nodes_timeout_s: float = 30) -> Iterator[list[AgentProcess]]:
    """A server agent without a client, then a client-only agent per name, each one's node
    registered: `[server, *clients]`. All are stopped after, clients first."""
    server = AgentProcess(root=root, name="server", dev=False, client=False)
    started: list[AgentProcess] = []
    try:
        started.append(server.start())
        addr = server.address.removeprefix("http://")
        for name in names:
            # dev=True: on stop the client destroys its allocations; no task outlives us
            started.append(AgentProcess(root=root, name=name, server=False,
                                        servers=[addr]).start())
        wait_until(lambda: len(httpx.get(f"{server.address}/v1/nodes", timeout=10).json())
                   == len(names), nodes_timeout_s, what=f"{len(names)} nodes")
        yield started
    finally:
        for agent in reversed(started):
            agent.stop()


@contextmanager
def relay_cluster(root: Path, script: str = "exec sleep 3600", job_id: str = "far"
                  ) -> Iterator[RelayCluster]:
    """Start the three agents and the job running `/bin/sh -c script`; stop them after."""
    with server_and_clients(root) as (server, a, b):
        job = raw_exec_job(job_id, args=["-c", script], constraints=[
            {"LTarget": "${node.unique.name}", "RTarget": "b", "Operand": "="}])
        httpx.post(f"{server.address}/v1/jobs", json=job, timeout=10).raise_for_status()
        alloc_id = wait_until(lambda: running_alloc(server, job_id), 60,
                              what=f"{job_id} running on b")
        yield RelayCluster(server, a, b, alloc_id)


def running_alloc(server: AgentProcess, job_id: str) -> str | None:
    stubs = httpx.get(f"{server.address}/v1/job/{job_id}/allocations", timeout=10).json()
    return next((str(a["ID"]) for a in stubs if a["ClientStatus"] == "running"), None)
