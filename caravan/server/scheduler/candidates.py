"""The nodes a job may use at all: ready, in the job's node pool and datacenters.

Nodes outside this set are not "filtered" in the metrics; they are never looked at.
As in Nomad, `NodesInPool` is the size of the set and `NodesAvailable` counts it per
datacenter (a datacenter named without a wildcard appears even when it has none).
Datacenter entries are globs where `*` matches any run of characters.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from caravan.server.scheduler.interfaces import SchedulerState
from caravan.structs import Job, Node

ALL_POOLS = "all"


@dataclass
class Candidates:
    nodes: list[Node]
    by_datacenter: dict[str, int]


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


def in_pool(node: Node, pool: str) -> bool:
    return pool == ALL_POOLS or node.node_pool == (pool or "default")


def candidates(state: SchedulerState, job: Job, *, shuffle_seed: str | None = None
               ) -> Candidates:
    """Ready nodes the job may use, sorted by ID, or shuffled by `shuffle_seed`."""
    datacenters = job.datacenters or ["*"]
    patterns = [_glob(dc) for dc in datacenters]
    by_dc = {dc: 0 for dc in datacenters if "*" not in dc}
    nodes = []
    for node in state.nodes():
        if not node.ready() or not in_pool(node, job.node_pool):
            continue
        if not any(p.match(node.datacenter) for p in patterns):
            continue
        nodes.append(node)
        by_dc[node.datacenter] = by_dc.get(node.datacenter, 0) + 1
    nodes.sort(key=lambda n: n.id)
    if shuffle_seed is not None:
        # Seeded by the eval: the same eval on the same snapshot places the same way.
        random.Random(shuffle_seed).shuffle(nodes)
    return Candidates(nodes, by_dc)
