"""The deployment a service job's scheduler run works under, and how far each group's
update may go in this run (Nomad's rolling update and canary rules).

    latest deployment of the job
        ├─ active, for an older job version ─▶ cancelled ("newer version of job")
        └─ for this version ─▶ the gate below; none yet ─▶ created when a rolling group
                                                        has something to place

Per group with a non-empty `update` block:

* canaries: while the group's deployment is not promoted and allocations of an older
  version remain, `canary` new allocations are placed beside the old ones (which keep
  running) and nothing else is replaced; unpromoted canaries do not count towards
  `count`.
* rolling: otherwise at most `max_parallel` destructive updates are in flight: each
  allocation of the deployment not yet reported healthy takes one slot.
* a paused or failed deployment replaces nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caravan.structs import Allocation, Deployment, Job, TaskGroup
from caravan.structs.deployment import (
    DESC_NEWER_JOB,
    DESC_STOPPED_JOB,
    STATUS_CANCELLED,
    STATUS_FAILED,
    STATUS_PAUSED,
    DeploymentState,
)
from caravan.structs.alloc import ZERO_TIME
from caravan.server.scheduler.reschedule import format_time


def rolling(group: TaskGroup) -> bool:
    return group.update is not None and not group.update.is_empty()


def for_version(deployment: Deployment | None, job: Job) -> bool:
    return deployment is not None and (deployment.job_version, deployment.job_create_index) == (
        job.version, job.create_index)


@dataclass
class RolloutGate:
    """What the reconciler asks about a group; built once per scheduler run."""

    job: Job
    deployment: Deployment | None      # the deployment of `job`'s version, if any
    cancelled: list[Deployment] = field(default_factory=list)

    @classmethod
    def open(cls, job: Job, latest: Deployment | None) -> RolloutGate:
        if latest is None or for_version(latest, job):
            return cls(job, latest)
        cancelled = []
        if latest.active():
            cancelled.append(latest.model_copy(update={
                "status": STATUS_CANCELLED, "status_description": DESC_NEWER_JOB}))
        return cls(job, None, cancelled)

    def state(self, group: TaskGroup) -> DeploymentState | None:
        d = self.deployment
        return d.task_groups.get(group.name) if d is not None else None

    def halted(self) -> bool:
        d = self.deployment
        return d is not None and d.status in (STATUS_PAUSED, STATUS_FAILED, STATUS_CANCELLED)

    def is_pending_canary(self, alloc: Allocation, group: TaskGroup) -> bool:
        """A canary of this version's deployment that is not promoted yet."""
        status, state = alloc.deployment_status, self.state(group)
        return (status is not None and status.canary and self.deployment is not None
                and alloc.deployment_id == self.deployment.id
                and (state is None or not state.promoted))

    def canaries_wanted(self, group: TaskGroup, outdated: int, placed: int) -> int:
        """How many canaries to place now: `canary` while old allocations remain."""
        state = self.state(group)
        if not rolling(group) or outdated == 0 or (state is not None and state.promoted):
            return 0
        if self.halted():
            return 0
        assert group.update is not None
        return max(0, (group.update.canary or 0) - placed)

    def destructive_limit(self, group: TaskGroup, allocs: list[Allocation],
                          candidates: int) -> int:
        """How many of `candidates` destructive updates may start in this run."""
        if not rolling(group):
            return candidates
        assert group.update is not None
        if self.halted():
            return 0
        state = self.state(group)
        if (group.update.canary or 0) > 0 and (state is None or not state.promoted):
            return 0  # canaries first; the rest wait for promotion
        limit = group.update.max_parallel or 0
        d = self.deployment
        if d is not None:
            limit -= sum(1 for a in allocs
                         if a.deployment_id == d.id and not a.terminal()
                         and a.task_group == group.name
                         and not (a.deployment_status and a.deployment_status.healthy))
        return max(0, min(limit, candidates))


def new_deployment(job: Job, deployment_id: str, now: int, priority: int,
                   canaries: dict[str, int]) -> Deployment:
    """A running deployment of `job`'s version for its rolling groups."""
    groups = {}
    for group in job.task_groups:
        if not rolling(group):
            continue
        u = group.update
        assert u is not None
        deadline = u.progress_deadline or 0
        groups[group.name] = DeploymentState(
            auto_revert=bool(u.auto_revert), auto_promote=bool(u.auto_promote),
            progress_deadline=deadline,
            require_progress_by=format_time(now + deadline) if deadline else ZERO_TIME,
            desired_canaries=canaries.get(group.name, 0), desired_total=group.count or 0)
    return Deployment(id=deployment_id, namespace=job.namespace, job_id=job.id,
                      job_version=job.version, job_modify_index=job.job_modify_index,
                      job_spec_modify_index=job.job_modify_index,
                      job_create_index=job.create_index, task_groups=groups,
                      eval_priority=priority)


def needs_deployment(job: Job, group: TaskGroup, allocs: list[Allocation], *, placing: bool,
                     outdated: int, inplace: int) -> bool:
    """Nomad's rule: a rolling group that places or updates something, and either changes
    the spec of running allocations or has none of this version yet."""
    if not rolling(group) or not (placing or inplace) or not (group.count or 0):
        return False
    had_current = any(a.task_group == group.name and a.job is not None
                      and (a.job.version, a.job.create_index) == (job.version, job.create_index)
                      for a in allocs)
    return not had_current or outdated > 0 or inplace > 0


def stopped_job_updates(latest: Deployment | None) -> list[Deployment]:
    """The job is stopped or gone: its running deployment is cancelled."""
    if latest is None or not latest.active():
        return []
    return [latest.model_copy(update={"status": STATUS_CANCELLED,
                                      "status_description": DESC_STOPPED_JOB})]
