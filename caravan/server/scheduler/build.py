"""The objects a scheduler run creates: new allocations, the finished eval, a blocked eval."""

from __future__ import annotations

from caravan.ids import IdGenerator
from caravan.server.scheduler.cores import shares_per_core
from caravan.server.scheduler.interfaces import Plan, SchedulerResult
from caravan.server.scheduler.proposed import Grant
from caravan.server.scheduler.reschedule import parse_time
from caravan.structs import (
    AllocatedCpu,
    AllocatedMemory,
    AllocatedResources,
    AllocatedSharedResources,
    AllocatedTaskResources,
    Allocation,
    AllocMetric,
    Evaluation,
    Job,
    Node,
    TaskGroup,
)

BLOCKED_DESCRIPTION = "created to place remaining allocations"


def allocated_resources(group: TaskGroup, node: Node, grant: Grant | None = None, *,
                        oversubscribe: bool = False) -> AllocatedResources:
    """What the group's allocation holds on `node`: amounts, and the core IDs and ports
    it was granted. A task's `memory_max` is granted only while the operator has memory
    oversubscription on (Nomad's rule); otherwise its reservation is its limit."""
    cores = grant.cores if grant else {}
    ports = grant.ports if grant else None
    per_core = shares_per_core(node)
    tasks = {
        task.name: AllocatedTaskResources(
            cpu=_cpu(task.resources.cpu or 0, cores.get(task.name), per_core),
            memory=AllocatedMemory(memory_mb=task.resources.memory_mb or 0,
                                   memory_max_mb=(task.resources.memory_max_mb or 0)
                                   if oversubscribe else 0),
            networks=ports.tasks.get(task.name) if ports else None)
        for task in group.tasks
    }
    disk = group.ephemeral_disk.size_mb if group.ephemeral_disk else 0
    shared = AllocatedSharedResources(disk_mb=disk,
                                      networks=(ports.networks or None) if ports else None,
                                      ports=(ports.ports or None) if ports else None)
    lifecycles = {t.name: t.lifecycle for t in group.tasks if t.lifecycle is not None}
    return AllocatedResources(tasks=tasks, task_lifecycles=lifecycles or None, shared=shared)


def _cpu(mhz: int, reserved: list[int] | None, per_core: int) -> AllocatedCpu:
    if reserved:
        return AllocatedCpu(cpu_shares=len(reserved) * per_core, reserved_cores=list(reserved))
    return AllocatedCpu(cpu_shares=mhz)


def new_alloc(*, job: Job, group: TaskGroup, name: str, node: Node, eval_id: str,
              metric: AllocMetric, alloc_id: str, now: int,
              grant: Grant | None = None, oversubscribe: bool = False) -> Allocation:
    return Allocation(
        id=alloc_id, namespace=job.namespace, eval_id=eval_id, name=name, node_id=node.id,
        node_name=node.name, job_id=job.id, job=job, task_group=group.name,
        allocated_resources=allocated_resources(group, node, grant,
                                                oversubscribe=oversubscribe),
        metrics=metric,
        desired_status="run", client_status="pending", create_time=now, modify_time=now)


def finish(evaluation: Evaluation, plan: Plan, *, failed: dict[str, AllocMetric],
           queued: dict[str, int], followups: list[Evaluation], now: int,
           new_id: IdGenerator) -> SchedulerResult:
    """The eval's outcome, with a blocked eval for whatever could not be placed.

    The eval always completes; an unblocked eval that still fails hands over to a new
    blocked eval (Nomad re-blocks the same eval instead). When follow-up evals were
    created and this eval was not itself delayed, they retry the failures too, so no
    blocked eval is made, as in Nomad.
    """
    delay_instead = bool(followups) and not parse_time(evaluation.wait_until)
    blocked = None
    if failed and not delay_instead:
        blocked = Evaluation(
            id=new_id(), namespace=evaluation.namespace, priority=evaluation.priority,
            type=evaluation.type, triggered_by="queued-allocs", job_id=evaluation.job_id,
            job_modify_index=evaluation.job_modify_index, status="blocked",
            status_description=BLOCKED_DESCRIPTION, previous_eval=evaluation.id,
            failed_tg_allocs={g: m.model_copy(deep=True) for g, m in failed.items()},
            create_time=now, modify_time=now)
    update = evaluation.model_copy(update={
        "status": "complete",
        "status_description": "",
        "failed_tg_allocs": failed or None,
        "queued_allocations": queued,
        "blocked_eval": blocked.id if blocked else evaluation.blocked_eval,
        "snapshot_index": plan.snapshot_index,
        "modify_time": now,
    })
    return SchedulerResult(plan=plan, eval_update=update, blocked_eval=blocked,
                           followup_evals=followups)
