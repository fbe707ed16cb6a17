"""`job plan`: a dry run of the scheduler for a job as it would be registered.

The job is checked as a registration would check it, given the version and indexes
it would get, and put into a snapshot of the state in place of the stored job; the
scheduler then plans on that snapshot, and nothing is written. The plan is read back
as Nomad's per-group annotations (create, destroy, in-place, create/destroy updates),
and the diff against the stored version gets those counts and the tasks' notes.
"""

from __future__ import annotations

import asyncio

from caravan.clock import Clock
from caravan.ids import IdGenerator
from caravan.server.job_endpoint import JobEndpoint, same_spec
from caravan.server.scheduler import schedule
from caravan.server.scheduler.interfaces import Plan
from caravan.server.scheduler.reconcile import ALLOC_UPDATING
from caravan.server.state import StateStore
from caravan.server.state.txn import job_key
from caravan.structs import Allocation, Evaluation, Job
from caravan.structs.diff import ADDED, DELETED, EDITED, JobDiff, job_diff
from caravan.structs.plan import DesiredUpdates, JobPlanResponse, PlanAnnotations

# Nomad's words for the kinds of update, as `job plan` prints them per group.
_UPDATE_NAMES = {"place": "create", "stop": "destroy", "ignore": "ignore",
                 "in_place_update": "in-place update",
                 "destructive_update": "create/destroy update"}


async def plan_job(job: Job, *, jobs: JobEndpoint, store: StateStore, new_id: IdGenerator,
                   clock: Clock, with_diff: bool) -> JobPlanResponse:
    """The store is read on the event loop; checking and scheduling, the CPU work, run in
    a thread on the snapshot (as the workers do)."""
    checked = await asyncio.to_thread(jobs.check, job)
    existing = store.job(checked.namespace, checked.id)
    index = store.index + 1
    candidate = checked.model_copy(update={
        "version": (existing.version + (0 if same_spec(existing, checked) and not existing.stop
                                        else 1)) if existing else 0,
        "create_index": existing.create_index if existing else index,
        "job_modify_index": index, "modify_index": index, "stop": False, "status": "pending"})
    snapshot = store.snapshot()
    snapshot.jobs_by_key = {**snapshot.jobs_by_key,
                            job_key(candidate.namespace, candidate.id): candidate}
    evaluation = Evaluation(id=new_id(), namespace=candidate.namespace,
                            priority=candidate.priority, type=candidate.type,
                            triggered_by="job-register", job_id=candidate.id,
                            job_modify_index=index, status="pending")
    result = await asyncio.to_thread(schedule, evaluation, snapshot, new_id=new_id, clock=clock)
    allocs = store.allocs_by_job(candidate.namespace, candidate.id)
    updates = desired_updates(candidate, allocs, result.plan)
    for group, queued in (result.eval_update.queued_allocations or {}).items():
        if group in updates:  # placements that found no node are still asked for
            updates[group].place += queued
    diff = job_diff(existing, candidate) if with_diff else None
    if diff is not None:
        _annotate(diff, updates)
    return JobPlanResponse(annotations=PlanAnnotations(desired_tg_updates=updates),
                           failed_tg_allocs=result.eval_update.failed_tg_allocs or None,
                           job_modify_index=existing.job_modify_index if existing else 0,
                           diff=diff, index=store.index)


def desired_updates(job: Job, allocs: list[Allocation], plan: Plan
                    ) -> dict[str, DesiredUpdates]:
    """Per group, what the plan does to the job's allocations."""
    out = {g.name: DesiredUpdates() for g in job.task_groups}
    known = {a.id for a in allocs}
    replaced = {a.id for a in plan.stops() if a.desired_description == ALLOC_UPDATING}
    touched: set[str] = set()
    for alloc in plan.placements():
        counts = out.setdefault(alloc.task_group, DesiredUpdates())
        if alloc.id in known:
            counts.in_place_update += 1
            touched.add(alloc.id)
        elif alloc.previous_allocation in replaced:
            counts.destructive_update += 1
        else:
            counts.place += 1
    for alloc in plan.stops():
        touched.add(alloc.id)
        if alloc.id not in replaced:
            out.setdefault(alloc.task_group, DesiredUpdates()).stop += 1
    for alloc in allocs:
        if alloc.id not in touched and not alloc.terminal() and alloc.task_group in out:
            out[alloc.task_group].ignore += 1
    return out


def _annotate(diff: JobDiff, updates: dict[str, DesiredUpdates]) -> None:
    for group in diff.task_groups or []:
        counts = updates.get(group.name, DesiredUpdates())
        named = {_UPDATE_NAMES[k]: v for k, v in counts.model_dump().items()
                 if k in _UPDATE_NAMES and v}
        group.updates = named or None
        for task in group.tasks or []:
            if task.type == ADDED:
                task.annotations = ["forces create"]
            elif task.type == DELETED:
                task.annotations = ["forces destroy"]
            elif task.type == EDITED:
                task.annotations = ["forces create/destroy update" if counts.destructive_update
                                    else "forces in-place update"]
