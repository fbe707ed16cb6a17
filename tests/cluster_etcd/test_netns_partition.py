"""Hosts of their own: etcd on the bridge, a server and two clients each in its own
network namespace. A client cut off past its heartbeat TTL is marked down and its
allocation replaced on the other; healed, it stops the old allocation."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agents import wait_until
from tests.cluster_etcd.netns import HostAgent, Hosts, netns_hosts
from tests.etcd_server import EtcdProcess
from tests.integration.jobs import raw_exec_job

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("ip") is None, reason="needs iproute2")]


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    with netns_hosts("srv", "c1", "c2") as made:
        yield made


def _alloc_processes(alloc_id: str) -> list[int]:
    """PIDs whose environment names `alloc_id`: the allocation's task processes."""
    marker = f"NOMAD_ALLOC_ID={alloc_id}\0".encode()
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if marker in Path(f"/proc/{name}/environ").read_bytes():
                    found.append(int(name))
            except OSError:
                continue
    return found


def test_a_client_cut_off_is_replaced_and_stops_its_allocation_when_healed(
        hosts: Hosts, tmp_path: Path) -> None:
    etcd = EtcdProcess(root=tmp_path, host=hosts.gateway)
    server = HostAgent(root=tmp_path, name="srv", dev=False, client=False,
                       ip=hosts.addresses["srv"], netns=hosts.namespaces["srv"],
                       config=f'server {{ etcd {{ endpoints = ["{etcd.endpoint}"]\n'
                              f'  key_prefix = "netns/" }} }}\n')
    clients = [HostAgent(root=tmp_path, name=n, server=False, ip=hosts.addresses[n],
                         netns=hosts.namespaces[n],
                         servers=[f"{hosts.addresses['srv']}:{server.port}"])
               for n in ("c1", "c2")]
    started: list[HostAgent] = []
    try:
        etcd.start()
        started.append(server.start(120))
        started += clients
        with ThreadPoolExecutor(2) as pool:  # side by side: each start is mostly imports
            for done in [pool.submit(c.start, 120.0) for c in clients]:
                done.result()
        url = server.address
        job = raw_exec_job("roam", args=["-c", "exec sleep 3600"])
        assert httpx.post(f"{url}/v1/jobs", json=job, timeout=30).status_code == 200

        def running() -> dict[str, object] | None:
            allocs = httpx.get(f"{url}/v1/job/roam/allocations", timeout=30).json()
            return next((a for a in allocs if a["ClientStatus"] == "running"), None)

        first = wait_until(running, 60, what="roam running")
        victim = next(n for n in ("c1", "c2") if n == first["NodeName"])
        assert _alloc_processes(str(first["ID"]))

        hosts.cut(victim)

        def replaced() -> bool:
            allocs = httpx.get(f"{url}/v1/job/roam/allocations", timeout=30).json()
            old = next(a for a in allocs if a["ID"] == first["ID"])
            return old["ClientStatus"] == "lost" and any(
                a["ClientStatus"] == "running" and a["NodeName"] != victim for a in allocs)

        wait_until(replaced, 90, what="the cut-off client's allocation replaced elsewhere")
        nodes = {n["Name"]: n["Status"] for n in httpx.get(f"{url}/v1/nodes", timeout=30).json()}
        assert nodes[victim] == "down"
        # Cut off, the client cannot have heard: its task still runs.
        assert _alloc_processes(str(first["ID"]))

        hosts.heal(victim)
        wait_until(lambda: not _alloc_processes(str(first["ID"])), 90,
                   what="the healed client stopping its lost allocation")
        wait_until(lambda: {n["Name"]: n["Status"] for n in httpx.get(
            f"{url}/v1/nodes", timeout=30).json()}[victim] == "ready", 60,
            what="the healed client ready again")
    finally:
        for agent in reversed(started):
            agent.stop()
        etcd.stop()
