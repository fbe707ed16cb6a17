"""Which allocations a drain moves next, and which drains are complete: pure, over a
snapshot of the draining nodes, their allocations and the jobs (Nomad's drainer rules).

Per service group of a job with allocations on a draining node:

    healthy   = live allocations with a decided health, not marked for migration
    threshold = count - migrate.max_parallel
    move now  = min(healthy - threshold, allocations on draining nodes not yet marked)

so at most `max_parallel` allocations are in flight, and the next ones move only once
their replacements have reported their health. Batch allocations are never marked
before the deadline; system allocations go once nothing else is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from caravan.structs import Allocation, Job, Node, TaskGroup

JobLookup = Callable[[str, str], Job | None]
AllocsOfJob = Callable[[str, str], list[Allocation]]


@dataclass
class DrainStep:
    migrate: list[Allocation] = field(default_factory=list)  # to mark for migration
    complete: list[Node] = field(default_factory=list)       # drains that are done


def system_job(alloc: Allocation) -> bool:
    """Drained last; sysbatch allocations, like batch ones, are left to finish."""
    return alloc.job is not None and alloc.job.type == "system"


def marked(alloc: Allocation) -> bool:
    return bool(alloc.desired_transition.migrate)


def deadline_passed(node: Node, now: int) -> bool:
    return node.drain_strategy is not None and node.drain_strategy.forced(now)


def plan_drain(draining: list[Node], allocs_on: Callable[[str], list[Allocation]],
               job_of: JobLookup, allocs_of_job: AllocsOfJob, now: int) -> DrainStep:
    step = DrainStep()
    draining_ids = {n.id for n in draining}
    jobs: set[tuple[str, str]] = set()
    for node in draining:
        live = [a for a in allocs_on(node.id) if not a.client_terminal()]
        if deadline_passed(node, now):
            step.migrate += [a for a in live if not system_job(a) and _movable(a)]
        if all(system_job(a) for a in live):
            ignore = node.drain_strategy is not None and node.drain_strategy.ignore_system_jobs
            if not ignore:
                step.migrate += [a for a in live if _movable(a)]
            step.complete.append(node)
            continue
        jobs |= {(a.namespace, a.job_id) for a in live if not system_job(a)}
    chosen = {a.id for a in step.migrate}
    for namespace, job_id in sorted(jobs):
        job = job_of(namespace, job_id)
        if job is None or job.stop or job.type != "service":
            continue  # gone or stopped jobs are the scheduler's; batch waits
        for alloc in _service_moves(job, allocs_of_job(namespace, job_id), draining_ids):
            if alloc.id not in chosen:
                step.migrate.append(alloc)
    return step


def _movable(alloc: Allocation) -> bool:
    return not marked(alloc) and alloc.desired_status == "run"


def _service_moves(job: Job, allocs: list[Allocation], draining: set[str]
                   ) -> list[Allocation]:
    moves: list[Allocation] = []
    for group in job.task_groups:
        moves += _group_moves(group, [a for a in allocs if a.task_group == group.name],
                              draining)
    return moves


def _group_moves(group: TaskGroup, allocs: list[Allocation], draining: set[str]
                 ) -> list[Allocation]:
    healthy = 0
    drainable: list[Allocation] = []
    for alloc in sorted(allocs, key=lambda a: (a.index(), a.create_index)):
        status = alloc.deployment_status
        if (not alloc.terminal() and status is not None and status.healthy is not None
                and not marked(alloc)):
            healthy += 1
        if alloc.node_id in draining and not alloc.client_terminal() and _movable(alloc):
            drainable.append(alloc)
    max_parallel = group.migrate.max_parallel if group.migrate is not None else 1
    threshold = (group.count or 0) - (max_parallel or 0)
    return drainable[:max(0, min(len(drainable), healthy - threshold))]
