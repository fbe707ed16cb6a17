"""Placement metrics: one recorder per placement attempt, turned into Nomad's AllocMetric.

Counting follows Nomad: every node the selector pulls is evaluated; a node that fails
a check is filtered (`NodesFiltered`, `ClassFiltered[class]` when the node has a
class, `ConstraintFiltered[reason]`); a node without room is exhausted
(`NodesExhausted`, `ClassExhausted[class]`, `DimensionExhausted[dimension]`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caravan.structs import AllocMetric, Node, TaskGroup

_TOP_SCORES = 5


@dataclass
class MetricRecorder:
    node_pool: str
    nodes_in_pool: int
    nodes_available: dict[str, int]
    evaluated: int = 0
    filtered: int = 0
    class_filtered: dict[str, int] = field(default_factory=dict)
    constraint_filtered: dict[str, int] = field(default_factory=dict)
    exhausted: int = 0
    class_exhausted: dict[str, int] = field(default_factory=dict)
    dimension_exhausted: dict[str, int] = field(default_factory=dict)
    scores: list[dict[str, Any]] = field(default_factory=list)

    def filter(self, node: Node, reason: str) -> None:
        self.filtered += 1
        if node.node_class:
            self.class_filtered[node.node_class] = self.class_filtered.get(node.node_class, 0) + 1
        self.constraint_filtered[reason] = self.constraint_filtered.get(reason, 0) + 1

    def exhaust(self, node: Node, dimension: str) -> None:
        self.exhausted += 1
        if node.node_class:
            self.class_exhausted[node.node_class] = self.class_exhausted.get(node.node_class, 0) + 1
        self.dimension_exhausted[dimension] = self.dimension_exhausted.get(dimension, 0) + 1

    def score(self, node_id: str, scores: dict[str, float], final: float) -> None:
        self.scores.append({"NodeID": node_id, "Scores": scores, "NormScore": final})

    def build(self, allocation_time: int) -> AllocMetric:
        top = sorted(self.scores, key=lambda s: -float(s["NormScore"]))[:_TOP_SCORES]
        return AllocMetric(
            nodes_evaluated=self.evaluated, nodes_filtered=self.filtered,
            nodes_in_pool=self.nodes_in_pool, node_pool=self.node_pool,
            nodes_available=dict(self.nodes_available),
            class_filtered=self.class_filtered or None,
            constraint_filtered=self.constraint_filtered or None,
            nodes_exhausted=self.exhausted, class_exhausted=self.class_exhausted or None,
            dimension_exhausted=self.dimension_exhausted or None,
            score_meta_data=top or None, allocation_time=allocation_time,
        )


def coalesce_failure(metric: AllocMetric, group: TaskGroup) -> None:
    """Fold one more failed placement of `group` into its first failure's metric."""
    metric.coalesced_failures += 1
    exhaust_resources(metric, group)


def exhaust_resources(metric: AllocMetric, group: TaskGroup) -> None:
    """Add the group's asks to `ResourcesExhausted` for the dimensions that ran out."""
    dims = metric.dimension_exhausted
    if not dims:
        return
    exhausted = metric.resources_exhausted if metric.resources_exhausted is not None else {}
    for task in group.tasks:
        entry = exhausted.setdefault(task.name, {"CPU": 0, "MemoryMB": 0})
        if dims.get("cpu"):
            entry["CPU"] += task.resources.cpu or 0
        if dims.get("memory"):
            entry["MemoryMB"] += task.resources.memory_mb or 0
    metric.resources_exhausted = exhausted
