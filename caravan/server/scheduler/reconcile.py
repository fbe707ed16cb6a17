"""What a service or batch job needs changed, group by group, before any node is chosen.

For each group the existing allocations are sorted into:

    lost        on a down, disconnected or vanished node      stop (client "lost"), replace
    migrating   marked by the drainer, on a draining node     stop when replaced (at once
                                                              once the drain's deadline passed)
    reschedule  failed, and its reschedule delay has passed   replace, stop when replaced
    later       failed, delay still running                   follow-up eval, kept for now
    kept        everything that counts towards `count`        (batch: completed ones too)
    ignored     stopped, or already replaced                  nothing

Kept allocations beyond `count` are stopped, highest index first. Those of an older
job version are updated: in place (the new job attached) or destructively (stop and
replace under the same name), by Nomad's rules (`inplace.py`). Free slots are filled by replacements first, then by new allocations
named `<job>.<group>[<n>]` with the lowest free indexes.

A group with an `update` block rolls: its `RolloutGate` (rollout.py) says how many
destructive updates start now and how many canaries to place; unpromoted canaries
stand beside `count`, and once promoted they replace the old allocations of their names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from caravan.server.scheduler.inplace import destructive_change
from caravan.server.scheduler.reschedule import Decision, classify
from caravan.server.scheduler.rollout import RolloutGate
from caravan.structs import Allocation, Job, Node, TaskGroup

ALLOC_NOT_NEEDED = "alloc not needed due to job update"
ALLOC_UPDATING = "alloc is being updated due to job update"
ALLOC_LOST = "alloc is lost since its node is down"
ALLOC_RESCHEDULED = "alloc was rescheduled because it failed"
ALLOC_MIGRATING = "alloc is being migrated"
LOST_NODE_STATUSES = ("down", "disconnected")

NodeLookup = Callable[[str], Node | None]


@dataclass(frozen=True)
class Stop:
    alloc: Allocation
    description: str
    client_status: str | None = None


@dataclass(frozen=True)
class Placement:
    group: TaskGroup
    name: str
    previous: Allocation | None = None
    stop_previous: str = ""     # stop `previous` with this description only if placed
    reschedule: bool = False    # carry a reschedule tracker and avoid the previous node
    canary: bool = False        # placed beside the old version until promoted
    migrate: bool = False       # moves `previous` off a draining node


@dataclass
class Reconciliation:
    stops: list[Stop] = field(default_factory=list)
    inplace: list[Allocation] = field(default_factory=list)
    places: list[Placement] = field(default_factory=list)
    later: dict[str, list[tuple[Allocation, int]]] = field(default_factory=dict)
    outdated: dict[str, int] = field(default_factory=dict)  # per group: old allocs left


def node_lost(node: Node | None) -> bool:
    return node is None or node.status in LOST_NODE_STATUSES


def migrating(alloc: Allocation, node: Node | None) -> bool:
    """Marked by the drainer and still on a draining node (a cancelled drain keeps it)."""
    return (bool(alloc.desired_transition.migrate) and not alloc.terminal()
            and node is not None and node.drain_strategy is not None)


def alloc_name(job_id: str, group: str, index: int) -> str:
    return f"{job_id}.{group}[{index}]"


def stop_all(allocs: list[Allocation], node_of: NodeLookup) -> list[Stop]:
    """Stops for every live allocation: the job is stopped, gone, or lost this group."""
    stops = []
    for alloc in allocs:
        if alloc.terminal():
            continue
        if node_lost(node_of(alloc.node_id)):
            stops.append(Stop(alloc, ALLOC_LOST, "lost"))
        else:
            stops.append(Stop(alloc, ALLOC_NOT_NEEDED))
    return stops


def reconcile(job: Job, allocs: list[Allocation], node_of: NodeLookup, *, eval_id: str,
              now: int, gate: RolloutGate | None = None) -> Reconciliation:
    result = Reconciliation()
    by_group: dict[str, list[Allocation]] = {}
    for alloc in allocs:
        by_group.setdefault(alloc.task_group, []).append(alloc)
    for name, group_allocs in by_group.items():
        if job.group(name) is None:
            result.stops += stop_all(group_allocs, node_of)
    updates = _UpdateCheck(job)
    gate = gate or RolloutGate(job, None)
    for group in job.task_groups:
        _GroupReconciler(job, group, node_of, eval_id, now, updates, result, gate).run(
            by_group.get(group.name, []))
    return result


class _UpdateCheck:
    """Is the change from an allocation's job version to `job` destructive, per group."""

    def __init__(self, job: Job):
        self._job = job
        self._cache: dict[tuple[int, int, str], bool] = {}

    def outdated(self, alloc: Allocation) -> bool:
        old = alloc.job
        return old is not None and (old.version, old.create_index) != (
            self._job.version, self._job.create_index)

    def destructive(self, alloc: Allocation, group: TaskGroup) -> bool:
        old = alloc.job
        assert old is not None
        key = (old.version, old.create_index, group.name)
        if key not in self._cache:
            self._cache[key] = bool(destructive_change(old, self._job, group.name))
        return self._cache[key]


class _GroupReconciler:
    def __init__(self, job: Job, group: TaskGroup, node_of: NodeLookup, eval_id: str,
                 now: int, updates: _UpdateCheck, result: Reconciliation, gate: RolloutGate):
        self.job, self.group, self.node_of = job, group, node_of
        self.eval_id, self.now, self.updates, self.result = eval_id, now, updates, result
        self.batch = job.type == "batch"
        self.gate = gate
        self.canaries: list[Allocation] = []

    def run(self, allocs: list[Allocation]) -> None:
        kept, lost, reschedule, later = self._sort(allocs)
        self.result.stops += [Stop(a, ALLOC_LOST, "lost") for a in lost]
        count = self.group.count if self.group.count is not None else 1
        self.canaries = [a for a in kept if self.gate.is_pending_canary(a, self.group)]
        kept = [a for a in kept if a not in self.canaries]
        kept.sort(key=self._keep_order(kept))
        self.result.stops += [Stop(a, ALLOC_NOT_NEEDED) for a in kept[count:]]
        kept = kept[:count]
        moving = [a for a in kept if migrating(a, self.node_of(a.node_id))]
        self._migrate(moving)
        destructive = self._update([a for a in kept if a not in moving])
        waiting = {a.id for a in kept} - {a.id for a in destructive}
        later = [(a, at) for a, at in later if a.id in waiting]
        if later:
            self.result.later[self.group.name] = later
        self._fill(kept, sorted(lost + reschedule, key=lambda a: a.index()), count,
                   {a.id for a in reschedule})

    def _sort(self, allocs: list[Allocation]) -> tuple[
            list[Allocation], list[Allocation], list[Allocation], list[tuple[Allocation, int]]]:
        kept: list[Allocation] = []
        lost: list[Allocation] = []
        reschedule: list[Allocation] = []
        later: list[tuple[Allocation, int]] = []
        for alloc in allocs:
            if not alloc.terminal() and node_lost(self.node_of(alloc.node_id)):
                lost.append(alloc)
                continue
            if alloc.terminal() and alloc.next_allocation:
                continue
            if self._old_terminal_batch(alloc):
                continue
            counts, ignore = self._counts(alloc)
            if counts:
                kept.append(alloc)
            if counts or ignore:
                continue
            verdict = classify(alloc, self.job, self.now, self.eval_id)
            if verdict.decision is Decision.NOW:
                reschedule.append(alloc)
                continue
            kept.append(alloc)
            if verdict.decision is Decision.LATER:
                later.append((alloc, verdict.at))
        return kept, lost, reschedule, later

    def _old_terminal_batch(self, alloc: Allocation) -> bool:
        """A finished batch alloc of an earlier version, or of an earlier job that had this
        ID (purged, then registered again): history, not a claim on `count` (Nomad's rule)."""
        old = alloc.job
        return self.batch and alloc.terminal() and old is not None and (
            old.version < self.job.version or old.create_index < self.job.create_index)

    def _counts(self, alloc: Allocation) -> tuple[bool, bool]:
        """(counts towards `count`, ignored); neither means: failed, may be rescheduled."""
        if self.batch:
            if alloc.desired_status == "stop":
                return (True, False) if alloc.client_status == "complete" else (False, True)
            if alloc.desired_status == "evict":
                return False, True
            return alloc.client_status != "failed", False
        if alloc.desired_status in ("stop", "evict"):
            return False, True
        if alloc.client_status in ("complete", "lost"):
            return False, True
        return alloc.client_status != "failed", False

    def _keep_order(self, kept: list[Allocation]) -> Callable[[Allocation], tuple[bool, int, int]]:
        """Index order, but an old allocation whose name a current one (a promoted canary)
        also holds goes last: it is the one `count` leaves out."""
        current = {a.name for a in kept if not self.updates.outdated(a)}
        return lambda a: (self.updates.outdated(a) and a.name in current, a.index(),
                          a.create_index)

    def _update(self, kept: list[Allocation]) -> list[Allocation]:
        candidates = []
        for alloc in kept:
            if not self.updates.outdated(alloc):
                continue
            if self.updates.destructive(alloc, self.group):
                candidates.append(alloc)
            elif not alloc.terminal():
                self.result.inplace.append(alloc.model_copy(
                    update={"job": self.job, "modify_time": self.now}))
        self.result.outdated[self.group.name] = len(candidates)
        self._place_canaries(candidates)
        limit = self.gate.destructive_limit(self.group, [*kept, *self.canaries],
                                            len(candidates))
        destructive = candidates[:limit]
        for alloc in destructive:
            self.result.places.append(Placement(
                self.group, alloc.name, previous=alloc, stop_previous=ALLOC_UPDATING))
        return destructive

    def _migrate(self, moving: list[Allocation]) -> None:
        """Each moves under its name; past the drain's deadline it stops even when no
        node has room for its replacement."""
        for alloc in moving:
            node = self.node_of(alloc.node_id)
            forced = node is not None and node.drain_strategy is not None and \
                node.drain_strategy.forced(self.now)
            if forced:
                self.result.stops.append(Stop(alloc, ALLOC_MIGRATING))
            self.result.places.append(Placement(
                self.group, alloc.name, previous=alloc, migrate=True,
                stop_previous="" if forced else ALLOC_MIGRATING))

    def _place_canaries(self, candidates: list[Allocation]) -> None:
        """Canaries take the names of the allocations they would replace, as in Nomad."""
        wanted = self.gate.canaries_wanted(self.group, len(candidates), len(self.canaries))
        taken = {a.name for a in self.canaries}
        names = [a.name for a in candidates if a.name not in taken]
        for name in names[:wanted]:
            self.result.places.append(Placement(self.group, name, canary=True))

    def _fill(self, kept: list[Allocation], replaceable: list[Allocation], count: int,
              rescheduled: set[str]) -> None:
        used = {a.index() for a in kept}
        free = (i for i in range(count + len(replaceable) + len(kept)) if i not in used)
        slots = count - len(kept)
        for alloc in replaceable:
            if slots <= 0:
                if alloc.id in rescheduled:
                    self.result.stops.append(Stop(alloc, ALLOC_NOT_NEEDED))
                continue
            index = alloc.index() if alloc.index() not in used else next(free)
            used.add(index)
            slots -= 1
            is_resched = alloc.id in rescheduled
            self.result.places.append(Placement(
                self.group, alloc_name(self.job.id, self.group.name, index), previous=alloc,
                stop_previous=ALLOC_RESCHEDULED if is_resched else "", reschedule=is_resched))
        for _ in range(max(slots, 0)):
            index = next(free)
            used.add(index)
            self.result.places.append(Placement(
                self.group, alloc_name(self.job.id, self.group.name, index)))
