"""The nodes a job may use at all: ready, in the job's node pool and datacenters.

Nodes outside this set are not "filtered" in the metrics; they are never looked at.
As in Nomad, `NodesInPool` is the size of the set and `NodesAvailable` counts it per
datacenter (a datacenter named without a wildcard appears even when it has none).
Datacenter entries are globs where `*` matches any run of characters.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from caravan.server.scheduler.interfaces import SchedulerState
from caravan.structs import Job, Node

ALL_POOLS = "all"


@dataclass
class Candidates:
    nodes: Sequence[Node]
    by_datacenter: dict[str, int]


class Shuffled(Sequence[Node]):
    """`nodes` in an order seeded by `seed`, shuffled only as far as it is read.

    A placement visits a handful of nodes, an evaluation of 100 placements a few
    hundred, of thousands: Fisher-Yates one step per position first read (in order
    from 0, as the selector's cursor reads) leaves the rest untouched. Reading index k
    finalises every position up to k; the order is fixed by the seed alone."""

    def __init__(self, nodes: list[Node], seed: str) -> None:
        self._nodes = nodes
        self._random = random.Random(seed)
        self._done = 0

    def __len__(self) -> int:
        return len(self._nodes)

    @overload
    def __getitem__(self, index: int) -> Node: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Node]: ...

    def __getitem__(self, index: int | slice) -> Node | Sequence[Node]:
        if isinstance(index, slice):
            self._finish(len(self._nodes))
            return self._nodes[index]
        self._finish(index % len(self._nodes) + 1 if self._nodes else 0)
        return self._nodes[index]

    def _finish(self, upto: int) -> None:
        nodes, rng, last = self._nodes, self._random, len(self._nodes)
        for i in range(self._done, upto):
            j = i + rng.randrange(last - i)
            nodes[i], nodes[j] = nodes[j], nodes[i]
        self._done = max(self._done, upto)


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


def in_pool(node: Node, pool: str) -> bool:
    return pool == ALL_POOLS or node.node_pool == (pool or "default")


def candidates(state: SchedulerState, job: Job, *, shuffle_seed: str | None = None
               ) -> Candidates:
    """Ready nodes the job may use, sorted by ID, or shuffled by `shuffle_seed`."""
    datacenters = tuple(job.datacenters or ["*"])
    nodes = list(state.nodes())
    # Every evaluation walks every node; the walk's outcome depends only on the node
    # objects (the store writes a node as a new object, never edits a stored one) and on
    # the job's datacenters and pool, so it is kept for the next evaluation. Comparing
    # the lists runs at C speed: the same objects compare equal by identity.
    key = (datacenters, job.node_pool)
    cached = _CACHE.get(key)
    if cached is None or cached[0] != nodes:
        found, by_dc = _walk(nodes, datacenters, job.node_pool)
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        cached = _CACHE[key] = (nodes, found, by_dc)
    found, by_dc = list(cached[1]), dict(cached[2])
    if shuffle_seed is not None:
        # Seeded by the eval: the same eval on the same snapshot places the same way.
        return Candidates(Shuffled(found, shuffle_seed), by_dc)
    return Candidates(found, by_dc)


def _walk(nodes: list[Node], datacenters: tuple[str, ...], pool: str
          ) -> tuple[list[Node], dict[str, int]]:
    patterns = [_glob(dc) for dc in datacenters]
    by_dc = {dc: 0 for dc in datacenters if "*" not in dc}
    found = []
    for node in nodes:
        if not node.ready() or not in_pool(node, pool):
            continue
        if not any(p.match(node.datacenter) for p in patterns):
            continue
        found.append(node)
        by_dc[node.datacenter] = by_dc.get(node.datacenter, 0) + 1
    found.sort(key=lambda n: n.id)
    return found, by_dc


# (datacenters, pool) -> (the nodes walked, the candidates among them, per datacenter)
_Walked = tuple[list[Node], list[Node], dict[str, int]]
_CACHE: dict[tuple[tuple[str, ...], str], _Walked] = {}
_CACHE_MAX = 64
