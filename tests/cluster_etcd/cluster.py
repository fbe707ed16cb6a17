"""Three caravan servers on one real etcd, each its own agent process on free ports."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from caravan.structs import Node
from caravan.structs.node import DriverInfo, NodeCpuResources, NodeMemoryResources, NodeResources

from tests.agents import AgentProcess, free_port, wait_until
from tests.cluster_etcd.proxy import Relay
from tests.etcd_server import EtcdProcess

_prefixes = itertools.count()


@dataclass
class Cluster:
    etcd: EtcdProcess
    servers: list[AgentProcess]
    relays: dict[str, Relay]  # server name -> its cuttable link to etcd (when asked for)

    def alive(self) -> list[AgentProcess]:
        return [s for s in self.servers if s.proc is not None and s.proc.poll() is None]

    def leader(self) -> AgentProcess:
        """The server every live server names as leader (waits until they agree)."""
        def agreed() -> AgentProcess | None:
            seen = set()
            for server in self.alive():
                try:
                    seen.add(httpx.get(f"{server.address}/v1/status/leader", timeout=5).json())
                except httpx.HTTPError:
                    return None
            if len(seen) != 1 or "" in seen:
                return None
            rpc = seen.pop()
            return next((s for s in self.alive() if rpc.endswith(f":{rpc_port(s)}")), None)
        found: AgentProcess = wait_until(agreed, 60, what="one leader all servers agree on")
        return found

    def followers(self) -> list[AgentProcess]:
        leader = self.leader()
        return [s for s in self.alive() if s is not leader]


def rpc_port(server: AgentProcess) -> int:
    return int(server.config.split("rpc = ")[1].split()[0])


@contextmanager
def etcd_cluster(root: Path, etcd: EtcdProcess, *, count: int = 3,
                 heartbeat_ttl: str = "2s", relays: bool = False) -> Iterator[Cluster]:
    """`relays`: each server reaches etcd through its own `Relay`, so a test can cut it."""
    prefix = f"cluster{next(_prefixes)}/"
    servers = []
    links: dict[str, Relay] = {}
    for n in range(count):
        endpoint = etcd.endpoint
        if relays:
            links[f"s{n}"] = Relay(etcd.client_port).start()
            endpoint = links[f"s{n}"].endpoint
        config = (f'ports {{ rpc = {free_port()} }}\n'
                  f'server {{ etcd {{ endpoints = ["{endpoint}"]\n'
                  f'  key_prefix = "{prefix}"\n  leader_ttl = 3 }} }}\n')
        servers.append(AgentProcess(root=root, name=f"s{n}", dev=False, client=False,
                                    config=config, heartbeat_grace=heartbeat_ttl,
                                    min_heartbeat_ttl=heartbeat_ttl))
    try:
        # Started side by side: each one's start is mostly Python importing itself.
        with ThreadPoolExecutor(len(servers)) as pool:
            for done in [pool.submit(s.start, 120.0) for s in servers]:
                done.result()
        cluster = Cluster(etcd, servers, links)
        cluster.leader()
        yield cluster
    finally:
        with ThreadPoolExecutor(len(servers)) as pool:
            list(pool.map(lambda s: s.stop(), servers))
        for relay in links.values():
            relay.stop()


def register_fake_nodes(server_url: str, count: int) -> None:
    """Nodes of class "fake" registered over the node API, with room for thousands of
    small allocations; no client runs what is placed on them."""
    for n in range(count):
        node = Node(id=f"00000000-0000-4000-8000-{n:012d}", name=f"fake{n}",
                    node_class="fake", status="ready",
                    drivers={"raw_exec": DriverInfo(detected=True, healthy=True)},
                    node_resources=NodeResources(
                        cpu=NodeCpuResources(cpu_shares=100_000, total_cpu_cores=64),
                        memory=NodeMemoryResources(memory_mb=100_000)))
        body = {"Node": {**node.to_wire(), "SecretID": f"secret-{n}"}}
        reply = httpx.put(f"{server_url}/v1/node/register", json=body, timeout=30)
        assert reply.status_code == 200, reply.text


FAKE_NODES = [{"LTarget": "${node.class}", "RTarget": "fake", "Operand": "="}]
