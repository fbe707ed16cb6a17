"""The pure scheduler: an evaluation and a read-only state snapshot in, a plan out.

`schedule()` never writes state and never touches a process; IDs and time come from
the caller. Service and batch jobs go through `generic`, system and sysbatch jobs
through `system`. See `interfaces` for how `plan_apply` should read the plan.
"""

from __future__ import annotations

from caravan.clock import Clock
from caravan.ids import IdGenerator
from caravan.server.scheduler.build import finish
from caravan.server.scheduler.generic import schedule_generic
from caravan.server.scheduler.interfaces import Plan, SchedulerResult, SchedulerState
from caravan.server.scheduler.system import schedule_system
from caravan.structs import Evaluation

__all__ = ["Plan", "SchedulerResult", "SchedulerState", "schedule"]


def schedule(evaluation: Evaluation, state: SchedulerState, *, new_id: IdGenerator,
             clock: Clock) -> SchedulerResult:
    """Decide what `evaluation` needs done, as seen from `state`.

    Pure and deterministic for a given eval, snapshot, ID sequence and clock; safe to
    call concurrently on different snapshots. The job type comes from the job in the
    snapshot, or from the eval when the job is gone.
    """
    job = state.job(evaluation.namespace, evaluation.job_id)
    job_type = job.type if job is not None else evaluation.type
    if job_type in ("service", "batch"):
        return schedule_generic(evaluation, state, new_id=new_id, clock=clock)
    if job_type in ("system", "sysbatch"):
        return schedule_system(evaluation, state, new_id=new_id, clock=clock)
    now = clock.now_ns()
    plan = Plan(eval_id=evaluation.id, priority=evaluation.priority, job=job,
                snapshot_index=state.index)
    result = finish(evaluation, plan, failed={}, queued={}, followups=[], now=now, new_id=new_id)
    result.eval_update.status = "failed"
    result.eval_update.status_description = f'unknown job type "{job_type}"'
    return result
