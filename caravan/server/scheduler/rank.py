"""Choosing a node for one placement: walk a few candidates, score them, keep the best.

A node passes when it has enough free whole cores for the tasks asking `cores`
(else it is exhausted on dimension "cores"), then enough cpu, memory and disk.

Like Nomad, we do not score every node. Nodes are visited in an order shuffled per
evaluation, from a cursor that keeps rotating across the placements of that
evaluation, and the walk stops once `limit` nodes passed every check. Each candidate
gets the mean of its scores:

* `binpack`: `20 - (10^freeCpu + 10^freeMem)` after placing, divided by 18, so a
  fuller node scores higher (0..1);
* `job-anti-affinity`: `-(collisions + 1) / count` when the node already runs
  allocations of this group;
* `node-reschedule-penalty`: -1 on the node a failed allocation is moving away from;
* `node-affinity` and `allocation-spread`: the group's placement preferences
  (`affinity.py`, `spread.py`). A group with either is walked over up to
  `max(100, count)` nodes instead of `limit`, so that preferred nodes are found.

Up to three candidates scoring at or below zero are passed over while better ones
may follow; they are used only if the walk runs out of nodes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from caravan.server.scheduler.affinity import NODE_AFFINITY, AffinityScorer
from caravan.server.scheduler.cores import CORES
from caravan.server.scheduler.feasible import Feasibility
from caravan.server.scheduler.metrics import MetricRecorder
from caravan.server.scheduler.proposed import Ask, ProposedState, capacity
from caravan.server.scheduler.spread import ALLOCATION_SPREAD, SpreadScorer
from caravan.structs import Job, Node, TaskGroup

SERVICE_LIMIT = 2
PREFERENCE_LIMIT = 100  # Nomad's default node_limit_for_feasibility_checks
_MAX_SKIP = 3
_BINPACK_MAX = 18.0


@dataclass(frozen=True)
class Option:
    node: Node
    score: float


def binpack_score(cap: tuple[int, int, int], cpu_used: int, mem_used: int) -> float:
    """Nomad's bin-pack fitness of a node at the given usage, normalised to 0..1."""
    free_cpu = 1 - cpu_used / cap[0] if cap[0] > 0 else 0.0
    free_mem = 1 - mem_used / cap[1] if cap[1] > 0 else 0.0
    fitness = 20.0 - (math.pow(10.0, free_cpu) + math.pow(10.0, free_mem))
    return min(max(fitness, 0.0), _BINPACK_MAX) / _BINPACK_MAX


class NodeSelector:
    """Picks nodes for the placements of one evaluation; not shared between evaluations."""

    def __init__(self, nodes: Sequence[Node], job: Job, feasibility: Feasibility,
                 proposed: ProposedState, *, limit: int = SERVICE_LIMIT):
        self._nodes = nodes
        self._job = job
        self._feasibility = feasibility
        self._proposed = proposed
        self._limit = limit
        self._cursor = 0
        self._capacity: dict[str, tuple[int, int, int]] = {}
        self._affinity = AffinityScorer(job, feasibility.evaluator)
        self._spread = SpreadScorer(job, proposed)

    def select(self, group: TaskGroup, ask: Ask, metric: MetricRecorder,
               avoid: frozenset[str] = frozenset()) -> Node | None:
        """The best of the next `limit` feasible nodes, or None when no node fits."""
        chosen: list[Option] = []
        skipped: list[Option] = []
        count = len(self._nodes)
        limit = self._limit_for(group)
        self._spread.begin(group)
        for _ in range(count):
            if len(chosen) >= limit:
                break
            node = self._nodes[self._cursor]
            self._cursor = (self._cursor + 1) % count
            option = self.rank(node, group, ask, metric, avoid)
            if option is None:
                continue
            if option.score <= 0 and len(skipped) < _MAX_SKIP:
                skipped.append(option)
            else:
                chosen.append(option)
        chosen += skipped[: max(0, limit - len(chosen))]
        if not chosen:
            return None
        best = chosen[0]
        for option in chosen[1:]:
            if option.score > best.score:
                best = option
        return best.node

    def rank(self, node: Node, group: TaskGroup, ask: Ask, metric: MetricRecorder,
             avoid: frozenset[str] = frozenset()) -> Option | None:
        """Check and score one node, recording the outcome in `metric`."""
        metric.evaluated += 1
        reason = (self._feasibility.reason(node, group)
                  or self._proposed.distinct_reason(node, group, self._job))
        if reason is not None:
            metric.filter(node, reason)
            return None
        if ask.cores and len(self._proposed.free_cores(node)) < ask.core_count:
            metric.exhaust(node, CORES)
            return None
        cap = self._node_capacity(node)
        used = self._proposed.usage(node.id)
        cpu, memory, disk = used[0] + ask.cpu_on(node), used[1] + ask.memory, used[2] + ask.disk
        dimension = ("cpu" if cpu > cap[0] else "memory" if memory > cap[1]
                     else "disk" if cap[2] > 0 and disk > cap[2] else None)
        if dimension is not None:
            metric.exhaust(node, dimension)
            return None
        if (problem := self._proposed.port_problem(node, ask)) is not None:
            metric.exhaust(node, f"network: {problem}")
            return None
        return self._score(node, group, cap, cpu, memory, metric, avoid)

    def _score(self, node: Node, group: TaskGroup, cap: tuple[int, int, int], cpu: int,
               memory: int, metric: MetricRecorder, avoid: frozenset[str]) -> Option:
        fit = binpack_score(cap, cpu, memory)
        parts = [fit]
        scores = {"binpack": fit, "job-anti-affinity": 0.0, "node-reschedule-penalty": 0.0}
        collisions = self._proposed.collisions(node.id, group.name)
        if collisions:
            penalty = -(collisions + 1) / max(group.count or 1, 1)
            scores["job-anti-affinity"] = penalty
            parts.append(penalty)
        if node.id in avoid:
            scores["node-reschedule-penalty"] = -1.0
            parts.append(-1.0)
        affinity = self._affinity.score(node, group)
        scores[NODE_AFFINITY] = affinity or 0.0
        if affinity is not None:
            parts.append(affinity)
        if spread := self._spread.score(node, group):
            scores[ALLOCATION_SPREAD] = spread
            parts.append(spread)
        final = sum(parts) / len(parts)
        metric.score(node.id, scores, final)
        return Option(node, final)

    def _limit_for(self, group: TaskGroup) -> int:
        if self._affinity.affinities(group) or self._spread.infos(group):
            return max(PREFERENCE_LIMIT, group.count or 0)
        return self._limit

    def _node_capacity(self, node: Node) -> tuple[int, int, int]:
        cap = self._capacity.get(node.id)
        if cap is None:
            cap = self._capacity[node.id] = capacity(node)
        return cap
