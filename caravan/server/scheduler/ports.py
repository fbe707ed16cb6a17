"""Ports on a node: what a group asks for, and which host ports it is given.

A group's `network` (and a task's legacy `resources { network }`) asks for static
ports (`static = 8080`: exactly that host port) and dynamic ones (any free port in the
node's range, Nomad's 20000-32000 unless the client says otherwise). A node offers one
address, its first host network; a port held by a live allocation there is taken.
The scheduler must give the same answer for the same inputs, so a dynamic port is not
drawn at random as in Nomad: the scan starts at a point hashed from the allocation's
name, which spreads allocations over the range just as well.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from caravan.structs import AllocatedPortMapping, NetworkResource, Node, Port, TaskGroup

MIN_DYNAMIC_PORT = 20000
MAX_DYNAMIC_PORT = 32000


@dataclass(frozen=True)
class PortAsk:
    network: NetworkResource | None  # the group's
    tasks: tuple[tuple[str, NetworkResource], ...] = ()  # legacy task networks

    @classmethod
    def of(cls, group: TaskGroup) -> PortAsk:
        tasks = tuple((t.name, n) for t in group.tasks for n in t.resources.networks or [])
        return cls(group.networks[0] if group.networks else None, tasks)

    def __bool__(self) -> bool:
        return self.network is not None or bool(self.tasks)


@dataclass
class PortGrant:
    """What an allocation holds: the group's ports, and each task's legacy network."""

    ports: list[AllocatedPortMapping] = field(default_factory=list)
    networks: list[NetworkResource] = field(default_factory=list)
    tasks: dict[str, list[NetworkResource]] = field(default_factory=dict)

    def values(self) -> set[int]:
        held = {p.value for p in self.ports}
        for networks in self.tasks.values():
            held.update(p.value for n in networks for p in n.ports())
        return held


def node_network(node: Node) -> NetworkResource | None:
    """The address a node gives ports on: its first host-mode network."""
    return next((n for n in node.node_resources.networks or [] if n.mode in ("", "host")
                 and n.ip), None)


def dynamic_range(node: Node) -> tuple[int, int]:
    res = node.node_resources
    return (res.min_dynamic_port or MIN_DYNAMIC_PORT, res.max_dynamic_port or MAX_DYNAMIC_PORT)


def assign(ask: PortAsk, node: Node, used: set[int], seed: str) -> PortGrant | str:
    """Ports for one allocation on `node`, or why there are none (Nomad's words)."""
    address = node_network(node)
    if address is None:
        return "no addresses available for default network"
    taken = set(used)
    grant = PortGrant()
    asks: list[tuple[str | None, NetworkResource]] = [(name, n) for name, n in ask.tasks]
    if ask.network is not None:
        asks.insert(0, (None, ask.network))
    for task, network in asks:
        placed = _place(network, address, node, taken, seed)
        if isinstance(placed, str):
            return placed
        reserved, dynamic = placed
        offer = network.model_copy(update={
            "ip": address.ip, "device": address.device, "cidr": address.cidr,
            "reserved_ports": reserved or None, "dynamic_ports": dynamic or None})
        if task is None:
            grant.networks.append(offer)
            grant.ports = [AllocatedPortMapping(label=p.label, value=p.value, to=p.to,
                                                host_ip=address.ip)
                           for p in [*reserved, *dynamic]]
        else:
            grant.tasks.setdefault(task, []).append(offer)
    return grant


def _place(network: NetworkResource, address: NetworkResource, node: Node, taken: set[int],
           seed: str) -> tuple[list[Port], list[Port]] | str:
    reserved = []
    for port in network.reserved_ports or []:
        if port.value in taken:
            return f"reserved port collision {port.label}={port.value}"
        taken.add(port.value)
        reserved.append(port)
    low, high = dynamic_range(node)
    dynamic = []
    for port in network.dynamic_ports or []:
        value = _free_port(low, high, taken, f"{seed}/{port.label}")
        if value is None:
            return "dynamic port selection failed"
        taken.add(value)
        dynamic.append(port.model_copy(update={"value": value,
                                               "to": value if port.to == -1 else port.to}))
    return reserved, dynamic


def _free_port(low: int, high: int, taken: set[int], seed: str) -> int | None:
    span = high - low + 1
    if span <= 0:
        return None
    start = zlib.crc32(seed.encode()) % span
    for step in range(span):
        value = low + (start + step) % span
        if value not in taken:
            return value
    return None
