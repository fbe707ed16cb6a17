"""The system and sysbatch scheduler: one allocation of each group on every usable node.

Per node and group:

* a live allocation on a down or vanished node is marked lost and not replaced;
* a live allocation on a ready node the job no longer targets (datacenter, pool) is
  stopped; one on an ineligible or draining node is left alone;
* extra live allocations of a group on one node are stopped;
* an allocation of an older job version is updated in place or replaced on its node;
* a node with none gets one, if the node passes the group's checks. A node that fails
  them is skipped silently; only a node without room is a placement failure.
* sysbatch: a finished allocation is not run again until the job changes.
"""

from __future__ import annotations

from caravan.clock import Clock
from caravan.ids import IdGenerator
from caravan.server.scheduler.build import finish, new_alloc
from caravan.server.scheduler.candidates import candidates
from caravan.server.scheduler.feasible import Feasibility
from caravan.server.scheduler.inplace import destructive_change
from caravan.server.scheduler.interfaces import Plan, SchedulerResult, SchedulerState
from caravan.server.scheduler.metrics import MetricRecorder, coalesce_failure, exhaust_resources
from caravan.server.scheduler.proposed import Ask, ProposedState
from caravan.server.scheduler.rank import NodeSelector
from caravan.server.scheduler.start import NodeCache, begin
from caravan.server.scheduler.reconcile import (
    ALLOC_LOST,
    ALLOC_MIGRATING,
    ALLOC_NOT_NEEDED,
    ALLOC_UPDATING,
    alloc_name,
    node_lost,
    stop_all,
)
from caravan.structs import Allocation, AllocMetric, Evaluation, Job, Node, TaskGroup

_Slot = tuple[str, str]   # (node ID, group name)


def schedule_system(evaluation: Evaluation, state: SchedulerState, *, new_id: IdGenerator,
                    clock: Clock) -> SchedulerResult:
    start = begin(evaluation, state, clock, new_id)
    if isinstance(start, SchedulerResult):
        return start  # the job is gone or stopped
    job, allocs, plan, node_of, now = (start.job, start.allocs, start.plan, start.node_of,
                                       start.now)
    run = _SystemRun(evaluation, state, job, plan, node_of, new_id, clock, now, allocs)
    run.run(allocs)
    return finish(evaluation, plan, failed=run.failed, queued=run.queued, followups=[],
                  now=now, new_id=new_id)


class _SystemRun:
    def __init__(self, evaluation: Evaluation, state: SchedulerState, job: Job, plan: Plan,
                 node_of: NodeCache, new_id: IdGenerator, clock: Clock, now: int,
                 allocs: list[Allocation]):
        self.evaluation, self.job, self.plan, self.node_of = evaluation, job, plan, node_of
        self.new_id, self.clock, self.now = new_id, clock, now
        self.found = candidates(state, job)
        self.oversubscribe = state.scheduler_config().memory_oversubscription_enabled
        self.targeted = {n.id for n in self.found.nodes}
        self.failed: dict[str, AllocMetric] = {}
        self.queued = {g.name: 0 for g in job.task_groups}
        self.proposed = ProposedState(state, job, allocs)
        self.selector = NodeSelector(self.found.nodes, job, Feasibility(job), self.proposed)

    def run(self, allocs: list[Allocation]) -> None:
        live, finished = self._index(allocs)
        for group in self.job.task_groups:
            for node in self.found.nodes:
                self._reconcile_slot(node, group, live.get((node.id, group.name), []),
                                     finished.get((node.id, group.name)))

    def _index(self, allocs: list[Allocation]) -> tuple[
            dict[_Slot, list[Allocation]], dict[_Slot, Allocation]]:
        """Live allocations per slot (stopping what no slot wants) and the latest
        finished one per slot."""
        live: dict[_Slot, list[Allocation]] = {}
        finished: dict[_Slot, Allocation] = {}
        for alloc in sorted(allocs, key=lambda a: a.create_index):
            slot = (alloc.node_id, alloc.task_group)
            if alloc.terminal():
                finished[slot] = alloc
            elif self.job.group(alloc.task_group) is None:
                self._stop_gone(alloc)
            elif node_lost(self.node_of(alloc.node_id)):
                self._stop(alloc, ALLOC_LOST, "lost")
            elif alloc.desired_transition.migrate:
                # The drain's last step (marked as the drain completes): a system alloc
                # is not moved, only stopped.
                self._stop(alloc, ALLOC_MIGRATING)
            elif alloc.node_id in self.targeted:
                live.setdefault(slot, []).append(alloc)
            elif self._node_ready(alloc.node_id):
                self._stop(alloc, ALLOC_NOT_NEEDED)   # the job no longer targets this node
        return live, finished

    def _node_ready(self, node_id: str) -> bool:
        node = self.node_of(node_id)
        return node is not None and node.ready()

    def _stop_gone(self, alloc: Allocation) -> None:
        for stop in stop_all([alloc], self.node_of):
            self._stop(stop.alloc, stop.description, stop.client_status)

    def _stop(self, alloc: Allocation, desc: str, client_status: str | None = None) -> None:
        self.plan.append_stop(alloc, desc, client_status, now=self.now)
        self.proposed.stop(alloc)

    def _reconcile_slot(self, node: Node, group: TaskGroup, live: list[Allocation],
                        finished: Allocation | None) -> None:
        for extra in live[1:]:
            self._stop(extra, ALLOC_NOT_NEEDED)
        current = live[0] if live else None
        if current is not None:
            if self._outdated(current):
                self._update(node, group, current)
            return
        if finished is not None and self.job.type == "sysbatch" and not self._outdated(finished):
            return
        self._place(node, group, previous=finished)

    def _outdated(self, alloc: Allocation) -> bool:
        old = alloc.job
        return old is not None and (old.version, old.create_index) != (
            self.job.version, self.job.create_index)

    def _update(self, node: Node, group: TaskGroup, alloc: Allocation) -> None:
        assert alloc.job is not None
        if not destructive_change(alloc.job, self.job, group.name):  # Nomad's in-place rules
            self.plan.append_alloc(alloc.model_copy(update={"job": self.job,
                                                            "modify_time": self.now}))
            return
        self._place(node, group, previous=alloc, stop_desc=ALLOC_UPDATING)

    def _place(self, node: Node, group: TaskGroup, *, previous: Allocation | None,
               stop_desc: str = "") -> None:
        if group.name in self.failed:
            coalesce_failure(self.failed[group.name], group)
            self.queued[group.name] += 1
            return
        if stop_desc and previous is not None:
            self._stop(previous, stop_desc)
        metric = MetricRecorder(self.job.node_pool, len(self.found.nodes),
                                self.found.by_datacenter)
        started = self.clock.now_ns()
        option = self.selector.rank(node, group, Ask.of(group), metric)
        built = metric.build(self.clock.now_ns() - started)
        if option is None:
            if built.nodes_filtered:
                return   # the node cannot run this group: not a failure for system jobs
            if stop_desc and previous is not None:
                self.plan.pop_stop(previous)
                self.proposed.unstop(previous)
            exhaust_resources(built, group)
            self.failed[group.name] = built
            self.queued[group.name] += 1
            return
        self._commit(node, group, previous, built)

    def _commit(self, node: Node, group: TaskGroup, previous: Allocation | None,
                metric: AllocMetric) -> None:
        name = alloc_name(self.job.id, group.name, 0)
        held = self.proposed.place(node, group.name, Ask.of(group), f"{name}@{node.id}")
        alloc = new_alloc(job=self.job, group=group, name=name, node=node,
                          eval_id=self.evaluation.id, metric=metric, alloc_id=self.new_id(),
                          now=self.now, grant=held, oversubscribe=self.oversubscribe)
        if previous is not None:
            alloc.previous_allocation = previous.id
            for staged in self.plan.node_update.get(previous.node_id, []):
                if staged.id == previous.id:
                    staged.next_allocation = alloc.id
        self.plan.append_alloc(alloc)
