"""Deleting evaluations by ID (`DELETE /v1/evaluations`, `eval delete`), Nomad's rules:
only while the operator has paused the eval broker, and only evaluations whose loss
cannot leave work undone (`isEvalDeleteSafe`)."""

from __future__ import annotations

from caravan.errors import InvalidInput, NotFound
from caravan.server.core import ServerCore
from caravan.structs import Allocation, Evaluation, Job

MAX_IDS = 7281   # Nomad's MaxUUIDsPerWriteRequest


def delete_evals(core: ServerCore, eval_ids: list[str]) -> tuple[int, int]:
    """(how many were deleted, the index of the write). All or nothing."""
    if not eval_ids:
        raise InvalidInput("evals must be deleted by either ID or filter")
    if len(eval_ids) > MAX_IDS:
        raise InvalidInput(f"request includes {len(eval_ids)} evaluation IDs, must be "
                           f"{MAX_IDS} or fewer")
    store = core.store
    if not store.scheduler_config.get().pause_eval_broker:
        raise InvalidInput("eval broker is enabled; eval broker must be paused to delete "
                           "evals")
    evals = []
    for eval_id in dict.fromkeys(eval_ids):
        ev = store.eval(eval_id)
        if ev is None:
            raise NotFound("eval not found")
        if not delete_safe(store.allocs_by_eval(ev.id), store.job(ev.namespace, ev.job_id)):
            raise InvalidInput(f"eval {ev.id} is not safe to delete")
        evals.append(ev)
    txn = core.begin()
    txn.eval_deletes += [ev.id for ev in evals]
    index = core.commit_and_enqueue(txn)
    _forget_blocked(core, evals)
    return len(evals), index


def delete_safe(allocs: list[Allocation], job: Job | None) -> bool:
    """Nothing an eval placed still runs, or waits on the eval to be rescheduled."""
    if job is None or job.stop or job.status == "dead":
        return True
    for alloc in allocs:
        if alloc.client_status in ("running", "unknown"):
            return False
        if alloc.client_status != "failed":
            continue
        group = job.group(alloc.task_group)
        policy = group.reschedule_policy if group is not None else None
        if policy is None or (not policy.unlimited and not policy.attempts):
            continue
        if not alloc.next_allocation or policy.unlimited:
            return False
        if alloc.reschedule_tracker is None or not alloc.reschedule_tracker.events:
            return False
    return True


def _forget_blocked(core: ServerCore, deleted: list[Evaluation]) -> None:
    """A deleted blocked eval must not come back when capacity frees up."""
    gone = {ev.id for ev in deleted}
    for ev in deleted:
        for blocked in core.broker.take_blocked(ev.namespace, ev.job_id):
            if blocked.id not in gone:
                core.broker.block(blocked)
