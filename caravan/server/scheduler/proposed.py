"""The cluster as the plan so far would leave it: node usage and where this job runs.

Usage of a node (cpu, memory, disk, and the core IDs held by tasks asking `cores`) is
read from the snapshot the first time the node is looked at (its non-terminal
allocations, less those the plan stops) and then kept current as the plan stops and
places allocations. The same bookkeeping answers the dynamic checks
Nomad runs after static feasibility: `distinct_hosts`, `distinct_property`, and the
job anti-affinity collisions used in ranking.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from caravan.server.scheduler.constraints import resolve_target
from caravan.server.scheduler.cores import (
    TaskCores,
    alloc_cores,
    core_asks,
    grant,
    offered_cores,
    shares_per_core,
)
from caravan.server.scheduler.interfaces import SchedulerState
from caravan.structs.lifecycle_resources import combined
from caravan.server.scheduler.ports import PortAsk, PortGrant, assign
from caravan.structs import Allocation, Constraint, Job, Node, TaskGroup

DISTINCT_HOSTS = "distinct_hosts"


@dataclass(frozen=True)
class Ask:
    """What one allocation of a group reserves on its node.

    `cpu` is the MHz of tasks asking `cpu`; tasks asking `cores` are in `cores` and
    add their node-dependent share through `cpu_on`.
    """

    cpu: int
    memory: int
    disk: int
    cores: tuple[tuple[str, int], ...] = ()
    ports: PortAsk = PortAsk(None)

    @classmethod
    def of(cls, group: TaskGroup) -> Ask:
        # Lifecycle stages that never overlap take the larger, not the sum (Nomad's rule).
        cpu, memory = combined(
            (t.lifecycle, 0 if t.resources.cores else t.resources.cpu or 0,
             t.resources.memory_mb or 0) for t in group.tasks)
        disk = group.ephemeral_disk.size_mb if group.ephemeral_disk else 0
        return cls(cpu, memory, disk, core_asks(group), PortAsk.of(group))

    @property
    def core_count(self) -> int:
        return sum(n for _, n in self.cores)

    def cpu_on(self, node: Node) -> int:
        """MHz the allocation counts against `node`'s cpu, whole cores included."""
        return self.cpu + self.core_count * shares_per_core(node)


def capacity(node: Node) -> tuple[int, int, int]:
    """(cpu MHz, memory MB, disk MB) the node offers to allocations."""
    total, reserved = node.node_resources, node.reserved_resources
    return (total.cpu.cpu_shares - reserved.cpu.cpu_shares,
            total.memory.memory_mb - reserved.memory.memory_mb,
            total.disk.disk_mb - reserved.disk.disk_mb)


def _uses(alloc: Allocation) -> tuple[int, int, int]:
    cpu, memory = alloc.allocated_resources.totals()
    return cpu, memory, alloc.allocated_resources.shared.disk_mb


@dataclass(frozen=True)
class Grant:
    """What a placed allocation holds beyond its amounts: core IDs and ports."""

    cores: TaskCores
    ports: PortGrant | None


@dataclass
class _PropertyLimit:
    """One `distinct_property` constraint: at most `limit` allocations per value."""

    target: str
    limit: int
    group: str | None          # None: counts every group of the job
    used: dict[str, int] = field(default_factory=dict)


class ProposedState:
    def __init__(self, state: SchedulerState, job: Job | None, job_allocs: list[Allocation]):
        self._state = state
        self._job_key = (job.namespace, job.id) if job is not None else None
        self._usage: dict[str, list[int]] = {}
        self._cores: dict[str, set[int]] = {}
        self._ports: dict[str, set[int]] = {}
        self._stopped: set[str] = set()
        self._nodes: dict[str, Node | None] = {}
        self._presence: dict[str, dict[str, int]] = {}
        self._properties = _property_limits(job)
        for alloc in job_allocs:
            if not alloc.terminal():
                self._count(alloc.node_id, alloc.task_group, +1)

    # -- plan bookkeeping -------------------------------------------------------------

    def stop(self, alloc: Allocation) -> None:
        self._stopped.add(alloc.id)
        self._shift(alloc, -1)

    def unstop(self, alloc: Allocation) -> None:
        self._stopped.discard(alloc.id)
        self._shift(alloc, +1)

    def place(self, node: Node, group: str, ask: Ask, name: str) -> Grant:
        """Count allocation `name` of `group` on `node`; returns the cores and ports it gets.

        The caller has checked (`free_cores`, `port_problem`) that they are free.
        """
        granted = grant(ask.cores, self.free_cores(node)) if ask.cores else {}
        if granted is None:
            raise RuntimeError(f"not enough free cores on node {node.id}")
        ports = None
        if ask.ports:
            offer = assign(ask.ports, node, self.ports_in_use(node.id), name)
            if isinstance(offer, str):
                raise RuntimeError(f"no ports on node {node.id}: {offer}")
            ports = offer
            self.ports_in_use(node.id).update(offer.values())
        usage = self.usage(node.id)
        usage[0] += ask.cpu_on(node)
        usage[1] += ask.memory
        usage[2] += ask.disk
        for ids in granted.values():
            self.cores_in_use(node.id).update(ids)
        self._count(node.id, group, +1)
        return Grant(granted, ports)

    def _shift(self, alloc: Allocation, sign: int) -> None:
        if alloc.terminal():
            return
        usage = self._usage.get(alloc.node_id)
        if usage is not None:
            for i, amount in enumerate(_uses(alloc)):
                usage[i] += sign * amount
        held = self._cores.get(alloc.node_id)
        if held is not None:
            if sign > 0:
                held.update(alloc_cores(alloc))
            else:
                held.difference_update(alloc_cores(alloc))
        ports = self._ports.get(alloc.node_id)
        if ports is not None:
            values = {value for _, value in alloc.allocated_resources.host_ports()}
            if sign > 0:
                ports.update(values)
            else:
                ports.difference_update(values)
        if (alloc.namespace, alloc.job_id) == self._job_key:
            self._count(alloc.node_id, alloc.task_group, sign)

    def _count(self, node_id: str, group: str, sign: int) -> None:
        groups = self._presence.setdefault(node_id, {})
        groups[group] = groups.get(group, 0) + sign
        if self._properties:
            node = self.node(node_id)
            for prop in self._properties:
                value = resolve_target(prop.target, node) if node is not None else None
                if value is not None and prop.group in (None, group):
                    prop.used[value] = prop.used.get(value, 0) + sign

    def node(self, node_id: str) -> Node | None:
        if node_id not in self._nodes:
            self._nodes[node_id] = self._state.node(node_id)
        return self._nodes[node_id]

    # -- questions --------------------------------------------------------------------

    def usage(self, node_id: str) -> list[int]:
        """[cpu, memory, disk] reserved on the node once the plan is applied."""
        usage = self._usage.get(node_id)
        if usage is None:
            usage = [0, 0, 0]
            for alloc in self._state.allocs_by_node(node_id):
                if not alloc.terminal() and alloc.id not in self._stopped:
                    for i, amount in enumerate(_uses(alloc)):
                        usage[i] += amount
            self._usage[node_id] = usage
        return usage

    def cores_in_use(self, node_id: str) -> set[int]:
        """Core IDs held on the node once the plan is applied."""
        held = self._cores.get(node_id)
        if held is None:
            held = set()
            for alloc in self._state.allocs_by_node(node_id):
                if not alloc.terminal() and alloc.id not in self._stopped:
                    held.update(alloc_cores(alloc))
            self._cores[node_id] = held
        return held

    def ports_in_use(self, node_id: str) -> set[int]:
        """Host ports held on the node once the plan is applied."""
        held = self._ports.get(node_id)
        if held is None:
            held = set()
            for alloc in self._state.allocs_by_node(node_id):
                if not alloc.terminal() and alloc.id not in self._stopped:
                    held.update(value for _, value in alloc.allocated_resources.host_ports())
            self._ports[node_id] = held
        return held

    def port_problem(self, node: Node, ask: Ask) -> str | None:
        """Why the node cannot give the ports `ask` needs (Nomad's words), or None."""
        if not ask.ports:
            return None
        offer = assign(ask.ports, node, self.ports_in_use(node.id), "")
        return offer if isinstance(offer, str) else None

    def free_cores(self, node: Node) -> list[int]:
        """Core IDs the node offers that nobody holds, lowest first."""
        held = self.cores_in_use(node.id)
        return [core for core in offered_cores(node) if core not in held]

    def placed(self, group: str) -> Iterator[tuple[str, int]]:
        """(node ID, allocations of this job's `group` there) for every node that had any."""
        for node_id, groups in self._presence.items():
            if groups.get(group):
                yield node_id, groups[group]

    def collisions(self, node_id: str, group: str) -> int:
        """Allocations of this job's `group` on the node."""
        return self._presence.get(node_id, {}).get(group, 0)

    def distinct_reason(self, node: Node, group: TaskGroup, job: Job) -> str | None:
        """Why `distinct_hosts`/`distinct_property` rule the node out, or None."""
        present = self._presence.get(node.id, {})
        if _distinct_hosts(job.constraints) and any(present.values()):
            return DISTINCT_HOSTS
        if _distinct_hosts(group.constraints) and present.get(group.name, 0):
            return DISTINCT_HOSTS
        for prop in self._properties:
            if prop.group not in (None, group.name):
                continue
            value = resolve_target(prop.target, node)
            if value is None:
                return f'missing property "{prop.target}"'
            used = prop.used.get(value, 0)
            if used >= prop.limit:
                return f"distinct_property: {prop.target}={value} used by {used} allocs"
        return None


def _distinct_hosts(constraints: list[Constraint] | None) -> bool:
    return any(c.operand == DISTINCT_HOSTS and c.r_target.lower() not in ("false", "0", "f")
               for c in constraints or [])


def _property_limits(job: Job | None) -> list[_PropertyLimit]:
    if job is None:
        return []
    scoped: list[tuple[Constraint, str | None]] = [(c, None) for c in job.constraints or []]
    scoped += [(c, g.name) for g in job.task_groups for c in g.constraints or []]
    return [_PropertyLimit(c.l_target, _limit(c.r_target), group)
            for c, group in scoped if c.operand == "distinct_property"]


def _limit(text: str) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        return 1
