"""Whole CPU cores (`resources { cores = N }`): which core IDs a node offers and who holds them.

A task asking `cores` gets exclusive core IDs on its node (the client turns them into
the task's cpuset); no two non-terminal allocations on a node may hold the same ID.
Such a task also counts against the node's cpu for bin-packing, at
`cores x (node total compute / node core count)` MHz, which is what its allocation
records as `cpu_shares`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from caravan.structs import Allocation, Node, TaskGroup

CORES = "cores"   # the DimensionExhausted key

TaskCores = dict[str, list[int]]
"""Core IDs granted per task name; tasks that asked for none are absent."""


def offered_cores(node: Node) -> list[int]:
    """The core IDs the node lets tasks reserve, lowest first.

    A node that does not report `reservable_cpu_cores` offers all of its cores.
    """
    cpu = node.node_resources.cpu
    if cpu.reservable_cpu_cores is not None:
        return sorted(set(cpu.reservable_cpu_cores))
    return list(range(max(cpu.total_cpu_cores, 0)))


def shares_per_core(node: Node) -> int:
    """MHz one whole core is worth on the node (0 when it reports no cores)."""
    cpu = node.node_resources.cpu
    return cpu.cpu_shares // cpu.total_cpu_cores if cpu.total_cpu_cores > 0 else 0


def core_asks(group: TaskGroup) -> tuple[tuple[str, int], ...]:
    """(task, cores) for every task of the group that asks for whole cores."""
    return tuple((t.name, t.resources.cores) for t in group.tasks if t.resources.cores)


def alloc_cores(alloc: Allocation) -> set[int]:
    """Every core ID the allocation holds, over all its tasks."""
    held: set[int] = set()
    for task in alloc.allocated_resources.tasks.values():
        held.update(task.cpu.reserved_cores or ())
    return held


def collide(allocs: Iterable[Allocation]) -> bool:
    """Whether two of `allocs` (or two tasks of one) hold the same core ID."""
    seen: set[int] = set()
    for alloc in allocs:
        for task in alloc.allocated_resources.tasks.values():
            for core in task.cpu.reserved_cores or ():
                if core in seen:
                    return True
                seen.add(core)
    return False


def grant(asks: Sequence[tuple[str, int]], free: Collection[int]) -> TaskCores | None:
    """The lowest free IDs for each task in order, or None when there are too few."""
    if sum(n for _, n in asks) > len(free):
        return None
    available = iter(sorted(free))
    return {task: [next(available) for _ in range(n)] for task, n in asks}
