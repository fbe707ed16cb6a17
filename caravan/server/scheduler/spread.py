"""The `allocation-spread` score: how much placing on a node evens out a group's spread.

For each spread of a group (the group's, then the job's), the group's allocations are
counted per value of the spread's attribute: live ones in the snapshot, less those the
plan stops, plus those it places (ProposedState keeps that count per node).

* With targets, each value wants `percent` of the group's count (values not named
  share what the targets leave, under `*`). A node scores
  `(desired - (used + 1)) / desired * weight / sum_of_weights`: positive while its
  value is short, negative once over. A value nobody wants scores -1; a value wanted
  0 times the lowest boost seen so far in the evaluation (at most -1).
* Without targets, values should be even: a value below the least-used one scores
  `(min - used) / min` (1 for an unused value), the least-used value `(max - min) / min`,
  and -1 when all are even.

A node without the attribute scores -1 for that spread. The node's score is the sum
over the group's spreads, and (as in Nomad) it joins the final score only when it is
not 0. Unlike Nomad, the weights are normalised over the group's own spreads, where
Nomad's running sum also counts the spreads of groups scored before.
"""

from __future__ import annotations

from dataclasses import dataclass

from caravan.server.scheduler.constraints import resolve_target
from caravan.server.scheduler.proposed import ProposedState
from caravan.structs import Job, Node, Spread, TaskGroup

ALLOCATION_SPREAD = "allocation-spread"
IMPLICIT_TARGET = "*"


@dataclass(frozen=True)
class SpreadInfo:
    """One spread of a group with the counts it wants per value."""

    attribute: str
    weight: float                       # this spread's share of the group's spread weights
    desired: dict[str, float]           # empty: spread evenly
    targets: frozenset[str]

    def targeted(self, value: str) -> str:
        """The value as the spread counts it: a value no target names counts as `*`."""
        return value if not self.targets or value in self.targets else IMPLICIT_TARGET


def spread_infos(job: Job, group: TaskGroup) -> tuple[SpreadInfo, ...]:
    spreads: list[Spread] = [*(group.spreads or []), *(job.spreads or [])]
    total_weight = sum(s.weight for s in spreads) or 1
    count = group.count if group.count is not None else 1
    infos = []
    for spread in spreads:
        targets = spread.spread_target or []
        desired = {t.value: t.percent / 100 * count for t in targets}
        wanted = sum(desired.values())
        if 0 < wanted < count:
            desired[IMPLICIT_TARGET] = count - wanted
        infos.append(SpreadInfo(spread.attribute, spread.weight / total_weight, desired,
                                frozenset(t.value for t in targets)))
    return tuple(infos)


class SpreadScorer:
    """Scores nodes against the spreads of one job's groups; one per evaluation."""

    def __init__(self, job: Job, proposed: ProposedState) -> None:
        self._job = job
        self._proposed = proposed
        self._infos: dict[str, tuple[SpreadInfo, ...]] = {}
        self._use: dict[str, list[dict[str, int]]] = {}
        self._values: dict[tuple[str, str], str | None] = {}   # (attribute, node ID)
        self._lowest_boost = -1.0

    def infos(self, group: TaskGroup) -> tuple[SpreadInfo, ...]:
        found = self._infos.get(group.name)
        if found is None:
            found = self._infos[group.name] = spread_infos(self._job, group)
        return found

    def begin(self, group: TaskGroup) -> None:
        """Forget the group's counts: the plan may have changed since the last placement."""
        self._use.pop(group.name, None)

    def score(self, node: Node, group: TaskGroup) -> float:
        """The node's summed spread score; 0 when the group has no spread."""
        infos = self.infos(group)
        if not infos:
            return 0.0
        uses = self._use.get(group.name)
        if uses is None:
            uses = self._use[group.name] = [self._count(info, group) for info in infos]
        return sum(self._one(info, use, node) for info, use in zip(infos, uses))

    def _count(self, info: SpreadInfo, group: TaskGroup) -> dict[str, int]:
        use: dict[str, int] = {}
        for node_id, count in self._proposed.placed(group.name):
            node = self._proposed.node(node_id)
            value = self._value(info.attribute, node) if node is not None else None
            if value is not None and count > 0:
                key = info.targeted(value)
                use[key] = use.get(key, 0) + count
        return use

    def _value(self, attribute: str, node: Node) -> str | None:
        key = (attribute, node.id)
        if key not in self._values:
            self._values[key] = resolve_target(attribute, node)
        return self._values[key]

    def _one(self, info: SpreadInfo, use: dict[str, int], node: Node) -> float:
        value = self._value(info.attribute, node)
        if value is None:
            return -1.0
        if not info.desired:
            return even_boost(use, value)
        key = info.targeted(value)
        desired = info.desired.get(key)
        if desired is None:
            return -1.0
        if desired == 0:
            return self._lowest_boost
        boost = (desired - (use.get(key, 0) + 1)) / desired * info.weight
        self._lowest_boost = min(self._lowest_boost, boost)
        return boost


def even_boost(use: dict[str, int], value: str) -> float:
    """The even-spread score of a node whose attribute is `value`."""
    if not use:
        return 0.0   # nothing placed yet: every value is as good
    current = use.get(value, 0)
    low, high = min(use.values()), max(use.values())
    if current != low:
        return (low - current) / low
    if low == high:
        return -1.0
    return (high - low) / low
