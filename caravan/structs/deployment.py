"""Deployments: the `update` block (UpdateStrategy), a deployment and its per-group state,
and an allocation's deployment status (its health), with Nomad's JSON names.

    job registered with a changed group ─▶ Deployment "running"
        │ allocs placed max_parallel at a time; each reports Healthy true/false
        ├─ every group: healthy == desired (canaries promoted) ─▶ "successful", job stable
        ├─ an unhealthy alloc / progress deadline missed ─▶ "failed" (auto_revert: the
        │                                                    last stable version again)
        ├─ `deployment pause` ─▶ "paused" ─ `resume` ─▶ "running"
        └─ a newer job version / the job stopped ─▶ "cancelled"
"""

from __future__ import annotations

from pydantic import Field

from caravan.structs.base import Struct

_S = 1_000_000_000

STATUS_RUNNING = "running"
STATUS_PAUSED = "paused"
STATUS_FAILED = "failed"
STATUS_SUCCESSFUL = "successful"
STATUS_CANCELLED = "cancelled"
ACTIVE_STATUSES = (STATUS_RUNNING, STATUS_PAUSED)

# Nomad's status descriptions, word for word (scripts match on them).
DESC_RUNNING = "Deployment is running"
DESC_NEEDS_PROMOTION = "Deployment is running but requires manual promotion"
DESC_AUTO_PROMOTION = "Deployment is running pending automatic promotion"
DESC_PAUSED = "Deployment is paused"
DESC_SUCCESSFUL = "Deployment completed successfully"
DESC_STOPPED_JOB = "Cancelled because job is stopped"
DESC_NEWER_JOB = "Cancelled due to newer version of job"
DESC_FAILED_ALLOCS = "Failed due to unhealthy allocations"
DESC_PROGRESS_DEADLINE = "Failed due to progress deadline"
DESC_FAILED_BY_USER = "Deployment marked as failed"


def rollback_description(base: str, version: int) -> str:
    return f"{base} - rolling back to job version {version}"


def no_rollback_description(base: str) -> str:
    return f"{base} - no stable job version to auto revert to"


class UpdateStrategy(Struct):
    """`update { ... }`. Fields are None when unset, so a group's block can be merged over
    the job's; `structs.canonicalize` fills Nomad's defaults (see `DEFAULT_UPDATE`)."""

    stagger: int | None = None
    max_parallel: int | None = None
    health_check: str | None = None
    min_healthy_time: int | None = None
    healthy_deadline: int | None = None
    progress_deadline: int | None = None
    auto_revert: bool | None = None
    auto_promote: bool | None = None
    canary: int | None = None

    def is_empty(self) -> bool:
        """No rolling update: `max_parallel = 0` (Nomad's `IsEmpty`), every change at once."""
        return not self.max_parallel


DEFAULT_UPDATE = UpdateStrategy(
    stagger=30 * _S, max_parallel=1, health_check="checks", min_healthy_time=10 * _S,
    healthy_deadline=300 * _S, progress_deadline=600 * _S, auto_revert=False,
    auto_promote=False, canary=0)
HEALTH_CHECKS = ("checks", "task_states", "manual")


class AllocDeploymentStatus(Struct):
    """How an allocation is doing in its deployment: `healthy` None until it is decided."""

    healthy: bool | None = None
    timestamp: str = "0001-01-01T00:00:00Z"
    canary: bool = False
    modify_index: int = 0


class DeploymentState(Struct):
    """One group's progress in a deployment."""

    auto_revert: bool = False
    auto_promote: bool = False
    progress_deadline: int = 0
    require_progress_by: str = "0001-01-01T00:00:00Z"
    promoted: bool = False
    placed_canaries: list[str] | None = None
    desired_canaries: int = 0
    desired_total: int = 0
    placed_allocs: int = 0
    healthy_allocs: int = 0
    unhealthy_allocs: int = 0


class Deployment(Struct):
    id: str = ""
    namespace: str = "default"
    job_id: str = ""
    job_version: int = 0
    job_modify_index: int = 0
    job_spec_modify_index: int = 0
    job_create_index: int = 0
    is_multiregion: bool = False
    task_groups: dict[str, DeploymentState] = Field(default_factory=dict)
    status: str = STATUS_RUNNING
    status_description: str = DESC_RUNNING
    eval_priority: int = 50
    create_index: int = 0
    modify_index: int = 0
    create_time: int = 0
    modify_time: int = 0

    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def requires_promotion(self) -> bool:
        return any(s.desired_canaries > 0 and not s.promoted for s in self.task_groups.values())


class DeploymentUpdateResponse(Struct):
    """The reply of promote, fail, pause and allocation-health (Nomad's)."""

    eval_id: str = ""
    eval_create_index: int = 0
    deployment_modify_index: int = 0
    reverted_job_version: int | None = None
    index: int = 0
