"""Static feasibility: can a node ever run a group, whatever else is placed on it.

Checked in Nomad's order, the first failure giving the node's filter reason:

1. job constraints                          `<LTarget> <Operand> <RTarget>`
2. drivers of every task                    `missing drivers`
3. group and task constraints               `<LTarget> <Operand> <RTarget>`
4. host volumes the group asks for          `missing compatible host volumes`

Checks 1-3 depend only on what nodes of one *computed class* share (datacenter,
class, pool, attributes and meta other than `unique.*`, driver health), so their
outcome is computed once per class and group. Constraints that read `unique.*`
targets escape the class and are checked per node, as is check 4. Node status,
datacenter and pool are not filters: such nodes never enter the candidate set.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from caravan.server.scheduler.constraints import (
    PLACEMENT_OPERANDS,
    ConstraintEvaluator,
    escapes_class,
)
from caravan.structs import Constraint, Job, Node, TaskGroup, VolumeRequest

MISSING_DRIVERS = "missing drivers"
MISSING_HOST_VOLUMES = "missing compatible host volumes"


@dataclass(frozen=True)
class GroupChecks:
    """The static checks of one group, split by whether a computed class can share them."""

    job_constraints: tuple[Constraint, ...]
    drivers: tuple[str, ...]
    group_constraints: tuple[Constraint, ...]
    escaped: tuple[Constraint, ...]
    host_volumes: tuple[VolumeRequest, ...]

    @classmethod
    def of(cls, job: Job, group: TaskGroup) -> GroupChecks:
        job_cs = [c for c in job.constraints or [] if c.operand not in PLACEMENT_OPERANDS]
        group_cs = [c for c in group.constraints or [] if c.operand not in PLACEMENT_OPERANDS]
        for task in group.tasks:
            group_cs += [c for c in task.constraints or [] if c.operand not in PLACEMENT_OPERANDS]
        drivers = tuple(dict.fromkeys(t.driver for t in group.tasks))
        volumes = tuple(v for v in (group.volumes or {}).values() if v.type == "host")
        return cls(
            job_constraints=tuple(c for c in job_cs if not escapes_class(c)),
            drivers=drivers,
            group_constraints=tuple(c for c in group_cs if not escapes_class(c)),
            escaped=tuple(c for c in job_cs + group_cs if escapes_class(c)),
            host_volumes=volumes,
        )


def computed_class(node: Node) -> Hashable:
    """What nodes must share to share the outcome of class-level checks. Remembered for
    the very node object at its modify_index (the store keeps one object per node and
    stamps a new index on every write), since every evaluation asks again."""
    found = _CLASSES.get(node.id)
    if found is not None and found[0] is node and found[1] == node.modify_index:
        return found[2]
    if len(_CLASSES) >= _CLASSES_MAX:
        _CLASSES.clear()  # many nodes came and went: start afresh
    value = _computed_class(node)
    _CLASSES[node.id] = (node, node.modify_index, value)
    return value


def _computed_class(node: Node) -> Hashable:
    attributes = tuple(sorted(
        (k, v) for k, v in node.attributes.items() if not k.startswith("unique.")))
    meta = tuple(sorted((k, v) for k, v in node.meta.items() if not k.startswith("unique.")))
    drivers = tuple(sorted((n, d.detected and d.healthy) for n, d in node.drivers.items()))
    return (node.datacenter, node.node_class, node.node_pool, attributes, meta, drivers)


_CLASSES: dict[str, tuple[Node, int, Hashable]] = {}
_CLASSES_MAX = 100_000


@dataclass
class Feasibility:
    """Static checks for one evaluation, with per-class and per-node caches."""

    job: Job
    evaluator: ConstraintEvaluator = field(default_factory=ConstraintEvaluator)
    _checks: dict[str, GroupChecks] = field(default_factory=dict)
    _class_ids: dict[Hashable, int] = field(default_factory=dict)
    _class_reason: dict[tuple[int, str], str | None] = field(default_factory=dict)
    _node_reason: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def reason(self, node: Node, group: TaskGroup) -> str | None:
        """Why `node` can never run `group`, or None when it can."""
        key = (node.id, group.name)
        if key not in self._node_reason:
            self._node_reason[key] = self._compute(node, group)
        return self._node_reason[key]

    def checks(self, group: TaskGroup) -> GroupChecks:
        if group.name not in self._checks:
            self._checks[group.name] = GroupChecks.of(self.job, group)
        return self._checks[group.name]

    def _compute(self, node: Node, group: TaskGroup) -> str | None:
        checks = self.checks(group)
        class_key = (self._class_ids.setdefault(computed_class(node), len(self._class_ids)),
                     group.name)
        if class_key not in self._class_reason:
            self._class_reason[class_key] = self._class_level(node, checks)
        reason = self._class_reason[class_key]
        if reason is None:
            reason = self._first_unmet(checks.escaped, node)
        if reason is None and not _has_host_volumes(node, checks.host_volumes):
            reason = MISSING_HOST_VOLUMES
        return reason

    def _class_level(self, node: Node, checks: GroupChecks) -> str | None:
        reason = self._first_unmet(checks.job_constraints, node)
        if reason is None and not all(node.driver_ok(d) for d in checks.drivers):
            reason = MISSING_DRIVERS
        return reason or self._first_unmet(checks.group_constraints, node)

    def _first_unmet(self, constraints: tuple[Constraint, ...], node: Node) -> str | None:
        for constraint in constraints:
            if not self.evaluator.meets(constraint, node):
                return constraint.describe()
        return None


def _has_host_volumes(node: Node, requests: tuple[VolumeRequest, ...]) -> bool:
    available = node.host_volumes or {}
    for request in requests:
        volume = available.get(request.source)
        if volume is None or (volume.read_only and not request.read_only):
            return False
    return True
