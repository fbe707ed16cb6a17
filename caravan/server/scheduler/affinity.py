"""The `node-affinity` score: how well a node matches a group's affinities.

A group's affinities are the job's, then the group's, then those of each of its tasks.
A node scores the sum of the weights of the affinities it matches divided by the sum
of all their absolute weights, so -1..1: an affinity with a negative weight pushes
matching nodes away. Matching is a constraint check (same targets and operators). As
in Nomad, a group without affinities scores 0 under this name, but the 0 is not one
of the scores averaged into the node's final score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caravan.server.scheduler.constraints import ConstraintEvaluator, resolve_target
from caravan.structs import Affinity, Job, Node, TaskGroup

NODE_AFFINITY = "node-affinity"


def group_affinities(job: Job, group: TaskGroup) -> tuple[Affinity, ...]:
    merged = [*(job.affinities or []), *(group.affinities or [])]
    for task in group.tasks:
        merged += task.affinities or []
    return tuple(merged)


@dataclass
class AffinityScorer:
    """Scores nodes against the affinities of one job's groups; one per evaluation."""

    job: Job
    evaluator: ConstraintEvaluator
    _by_group: dict[str, tuple[Affinity, ...]] = field(default_factory=dict)
    # A node's score depends only on the node and the group: kept for the evaluation,
    # whose placements each walk up to every node.
    _scores: dict[tuple[str, str], float] = field(default_factory=dict)

    def affinities(self, group: TaskGroup) -> tuple[Affinity, ...]:
        found = self._by_group.get(group.name)
        if found is None:
            found = self._by_group[group.name] = group_affinities(self.job, group)
        return found

    def score(self, node: Node, group: TaskGroup) -> float | None:
        """The node's normalised affinity score, or None when the group has none."""
        affinities = self.affinities(group)
        if not affinities:
            return None
        key = (group.name, node.id)
        found = self._scores.get(key)
        if found is None:
            total = sum(abs(a.weight) for a in affinities)
            matched = sum(a.weight for a in affinities if self._matches(a, node))
            found = self._scores[key] = matched / total if total else 0.0
        return found

    def _matches(self, affinity: Affinity, node: Node) -> bool:
        left = resolve_target(affinity.l_target, node)
        right = resolve_target(affinity.r_target, node)
        return self.evaluator.check(affinity.operand, left, right)
