"""What every scheduler does first for an evaluation: load the job and its allocations,
open a plan, and (job gone or stopped) stop everything and finish."""

from __future__ import annotations

from dataclasses import dataclass

from caravan.clock import Clock
from caravan.ids import IdGenerator
from caravan.server.scheduler.build import finish
from caravan.server.scheduler.interfaces import Plan, SchedulerResult, SchedulerState
from caravan.server.scheduler.reconcile import stop_all
from caravan.server.scheduler.rollout import stopped_job_updates
from caravan.structs import Allocation, Evaluation, Job, Node


class NodeCache:
    """`state.node` memoised for one run."""

    def __init__(self, state: SchedulerState):
        self._state = state
        self._nodes: dict[str, Node | None] = {}

    def __call__(self, node_id: str) -> Node | None:
        if node_id not in self._nodes:
            self._nodes[node_id] = self._state.node(node_id)
        return self._nodes[node_id]


@dataclass
class Running:
    """An evaluation of a live job, ready to schedule."""

    now: int
    job: Job
    allocs: list[Allocation]
    plan: Plan
    node_of: NodeCache


def begin(evaluation: Evaluation, state: SchedulerState, clock: Clock,
          new_id: IdGenerator) -> Running | SchedulerResult:
    """The job's allocations and a new plan; or, when the job is gone or stopped, the
    finished result that stops every allocation."""
    now = clock.now_ns()
    job = state.job(evaluation.namespace, evaluation.job_id)
    allocs = state.allocs_by_job(evaluation.namespace, evaluation.job_id)
    plan = Plan(eval_id=evaluation.id, priority=job.priority if job else evaluation.priority,
                job=job, snapshot_index=state.index)
    node_of = NodeCache(state)
    if job is not None and not job.stop:
        return Running(now=now, job=job, allocs=allocs, plan=plan, node_of=node_of)
    for stop in stop_all(allocs, node_of):
        plan.append_stop(stop.alloc, stop.description, stop.client_status, now=now)
    plan.deployment_updates = stopped_job_updates(
        state.latest_deployment(evaluation.namespace, evaluation.job_id))
    queued = {g.name: 0 for g in job.task_groups} if job else {}
    return finish(evaluation, plan, failed={}, queued=queued, followups=[], now=now,
                  new_id=new_id)
