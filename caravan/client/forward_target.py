"""Where `alloc port-forward` may connect: only a port the allocation holds on its node.

Tasks (exec and raw_exec alike) share the node's network namespace (host mode; the
exec driver's bundle makes no network namespace), so "the port inside the allocation"
is a port on the node. A caller with `alloc-port-forward` alone must not reach what
the allocation does not own: the agent's own API, a database bound to the node's
loopback, another allocation's ports. So the remote port must be one of this
allocation's host ports (static or dynamic, group or legacy task network), named by
number or label; the scheduler never gives one host port to two live allocations of
a node. The connection goes to the address the port was given on (where
`NOMAD_ADDR_<label>` tells the task to listen), loopback when it has none.

A mapped port's `to` is not reachable this way: host mode maps nothing, and the `to`
port is not reserved for the allocation.
"""

from __future__ import annotations

from dataclasses import dataclass

from caravan.errors import InvalidInput
from caravan.structs import Allocation

_LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class HeldPort:
    label: str
    host: str
    port: int


def held_ports(alloc: Allocation) -> list[HeldPort]:
    """Every port the allocation holds on its node, group ports first."""
    allocated = alloc.allocated_resources
    held = [HeldPort(p.label, p.host_ip, p.value) for p in allocated.shared.ports or []]
    for task in allocated.tasks.values():
        held += [HeldPort(p.label, n.ip, p.value) for n in task.networks or []
                 for p in n.ports()]
    return held


def forward_target(alloc: Allocation, remote: int | str) -> tuple[str, int]:
    """(host, port) to dial for `remote` (a port number or label); InvalidInput otherwise."""
    held = held_ports(alloc)
    for port in held:
        if remote in (port.port, port.label) and port.port > 0:
            host = port.host if port.host and port.host not in ("0.0.0.0", "::") else _LOOPBACK
            return host, port.port
    have = ", ".join(f"{p.label}={p.port}" for p in held) or "none"
    raise InvalidInput(f'port {remote} is not a port of allocation {alloc.id[:8]}; '
                       f'its ports: {have}',
                       hint="forward one of the ports its job's network block asks for")
