"""The service and batch scheduler: reconcile, then place what is missing.

    reconcile(job, allocs) ─▶ stops ─▶ in-place updates ─▶ follow-up evals
                                                             │
              placements ◀─ NodeSelector (shuffled nodes, rotating cursor, limit 2)

A placement that replaces an allocation (destructive update, reschedule) stops the
old one first so its resources count as free, and backs the stop out when no node
fits. Once a placement of a group fails, the group's later placements are not tried;
they are coalesced into the first failure's metric, as in Nomad.
"""

from __future__ import annotations

from caravan.clock import Clock
from caravan.ids import IdGenerator
from caravan.server.scheduler.build import finish, new_alloc
from caravan.server.scheduler.candidates import candidates
from caravan.server.scheduler.feasible import Feasibility
from caravan.server.scheduler.interfaces import Plan, SchedulerResult, SchedulerState
from caravan.server.scheduler.metrics import MetricRecorder, coalesce_failure, exhaust_resources
from caravan.server.scheduler.proposed import Ask, ProposedState
from caravan.server.scheduler.rank import NodeSelector
from caravan.server.scheduler.start import begin
from caravan.server.scheduler.reconcile import Placement, Reconciliation, reconcile
from caravan.server.scheduler.reschedule import followups, tracker_for
from caravan.server.scheduler.rollout import RolloutGate, needs_deployment, new_deployment
from caravan.structs import (
    AllocDeploymentStatus,
    Allocation,
    AllocMetric,
    Deployment,
    Evaluation,
    Job,
    Node,
)


def schedule_generic(evaluation: Evaluation, state: SchedulerState, *, new_id: IdGenerator,
                     clock: Clock) -> SchedulerResult:
    start = begin(evaluation, state, clock, new_id)
    if isinstance(start, SchedulerResult):
        return start  # the job is gone or stopped
    job, allocs, plan, node_of, now = (start.job, start.allocs, start.plan, start.node_of,
                                       start.now)
    gate = RolloutGate.open(job, state.latest_deployment(job.namespace, job.id))
    result = reconcile(job, allocs, node_of, eval_id=evaluation.id, now=now, gate=gate)
    plan.deployment_updates = gate.cancelled
    deployment = gate.deployment or _created(job, allocs, result, evaluation, now, new_id)
    if deployment is not None and gate.deployment is None:
        plan.deployment = deployment
    run = _Run(evaluation, state, job, plan, ProposedState(state, job, allocs), new_id, clock,
               now, deployment)
    evals = run.apply(result)
    run.place_all(result.places)
    done = finish(evaluation, plan, failed=run.failed, queued=run.queued, followups=evals,
                  now=now, new_id=new_id)
    if deployment is not None:
        done.eval_update.deployment_id = deployment.id
    return done


def _created(job: Job, allocs: list[Allocation], result: Reconciliation,
             evaluation: Evaluation, now: int, new_id: IdGenerator) -> Deployment | None:
    """A deployment for this version when a rolling group has work (Nomad's rule)."""
    wanted = False
    canaries: dict[str, int] = {}
    for group in job.task_groups:
        places = [p for p in result.places if p.group.name == group.name]
        canaries[group.name] = sum(p.canary for p in places)
        inplace = sum(a.task_group == group.name for a in result.inplace)
        wanted |= needs_deployment(job, group, allocs, placing=bool(places), inplace=inplace,
                                   outdated=result.outdated.get(group.name, 0))
    if not wanted:
        return None
    return new_deployment(job, new_id(), now, evaluation.priority, canaries)


class _Run:
    def __init__(self, evaluation: Evaluation, state: SchedulerState, job: Job, plan: Plan,
                 proposed: ProposedState, new_id: IdGenerator, clock: Clock, now: int,
                 deployment: Deployment | None = None):
        self.evaluation, self.state, self.job, self.plan = evaluation, state, job, plan
        self.proposed, self.new_id, self.clock, self.now = proposed, new_id, clock, now
        self.deployment = deployment
        self.oversubscribe = state.scheduler_config().memory_oversubscription_enabled
        self.staged: dict[str, Allocation] = {}
        self.failed: dict[str, AllocMetric] = {}
        self.queued = {g.name: 0 for g in job.task_groups}
        self._selector: NodeSelector | None = None
        self._pool: tuple[int, dict[str, int]] = (0, {})

    def apply(self, result: Reconciliation) -> list[Evaluation]:
        """Stage stops, in-place updates and follow-ups; returns the follow-up evals."""
        for stop in result.stops:
            self._stop(stop.alloc, stop.description, stop.client_status)
        for alloc in result.inplace:
            self.plan.append_alloc(self._in_deployment(alloc))
        evals: list[Evaluation] = []
        for later in result.later.values():
            group_evals, annotated = followups(later, self.job, self.evaluation.priority,
                                               self.now, self.new_id)
            evals += group_evals
            for alloc in annotated:
                self.plan.append_alloc(alloc)
        return evals

    def _stop(self, alloc: Allocation, desc: str, client_status: str | None = None) -> None:
        self.staged[alloc.id] = self.plan.append_stop(alloc, desc, client_status, now=self.now)
        self.proposed.stop(alloc)

    def _unstop(self, alloc: Allocation) -> None:
        self.plan.pop_stop(alloc)
        self.staged.pop(alloc.id, None)
        self.proposed.unstop(alloc)

    def selector(self) -> NodeSelector:
        if self._selector is None:
            found = candidates(self.state, self.job, shuffle_seed=self.evaluation.id)
            self._pool = (len(found.nodes), found.by_datacenter)
            self._selector = NodeSelector(found.nodes, self.job, Feasibility(self.job),
                                          self.proposed)
        return self._selector

    def place_all(self, places: list[Placement]) -> None:
        asks: dict[str, Ask] = {}
        for place in places:
            group = place.group
            if group.name in self.failed:
                coalesce_failure(self.failed[group.name], group)
                self.queued[group.name] += 1
                continue
            if group.name not in asks:
                asks[group.name] = Ask.of(group)
            self._place(place, asks[group.name])

    def _place(self, place: Placement, ask: Ask) -> None:
        previous = place.previous
        if previous is not None and place.stop_previous:
            self._stop(previous, place.stop_previous)   # its resources count as free
        node, metric = self._select(place, ask)
        if node is not None:
            self._commit(place, node, ask, metric)
            return
        if previous is not None and place.stop_previous:
            self._unstop(previous)
        exhaust_resources(metric, place.group)
        self.failed[place.group.name] = metric
        self.queued[place.group.name] += 1

    def _select(self, place: Placement, ask: Ask) -> tuple[Node | None, AllocMetric]:
        selector = self.selector()
        recorder = MetricRecorder(self.job.node_pool, self._pool[0], self._pool[1])
        previous = place.previous
        avoid = frozenset((previous.node_id,)) if previous and place.reschedule else frozenset()
        started = self.clock.now_ns()
        node = selector.select(place.group, ask, recorder, avoid)
        return node, recorder.build(self.clock.now_ns() - started)

    def _commit(self, place: Placement, node: Node, ask: Ask, metric: AllocMetric) -> None:
        held = self.proposed.place(node, place.group.name, ask, place.name)
        alloc = new_alloc(job=self.job, group=place.group, name=place.name, node=node,
                          eval_id=self.evaluation.id, metric=metric, alloc_id=self.new_id(),
                          now=self.now, grant=held, oversubscribe=self.oversubscribe)
        previous = place.previous
        if previous is not None:
            alloc.previous_allocation = previous.id
            if place.reschedule:
                alloc.reschedule_tracker = tracker_for(previous, self.job, self.now)
            if previous.id in self.staged:
                self.staged[previous.id].next_allocation = alloc.id
        if place.canary:
            alloc.deployment_status = AllocDeploymentStatus(canary=True)
        if place.migrate and (self.deployment is None or not self.deployment.active()):
            # A move is no rollout: it joins no finished deployment, and its health
            # comes from the group's `migrate` block.
            self.plan.append_alloc(alloc)
            return
        self.plan.append_alloc(self._in_deployment(alloc))

    def _in_deployment(self, alloc: Allocation) -> Allocation:
        """Allocations of a rolling group belong to the version's deployment."""
        d = self.deployment
        if d is None or alloc.task_group not in d.task_groups or alloc.deployment_id == d.id:
            return alloc
        # An in-place update joins the new deployment undecided; a new alloc keeps its
        # canary mark.
        status = None if alloc.deployment_id else alloc.deployment_status
        return alloc.model_copy(update={"deployment_id": d.id, "deployment_status": status})
