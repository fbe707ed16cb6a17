"""The `update` block's canonical form and checks, as Nomad's API and server apply them.

A service or system job without a job-level `update` gets Nomad's default; each group
inherits the job's block, its own fields overriding, and unset fields take the
defaults (`max_parallel 1, health_check "checks", min_healthy_time 10s,
healthy_deadline 5m, progress_deadline 10m`). Batch jobs do not roll.

At the job level a zero duration or an empty `health_check` counts as unset: Nomad's
server keeps only `stagger` and `max_parallel` of a job-level block, so `job inspect`
output (which python-nomad users send back) carries zeros for the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from caravan.structs.deployment import DEFAULT_UPDATE, HEALTH_CHECKS, UpdateStrategy
from caravan.structs.job import Job, TaskGroup

_ROLLING_TYPES = ("service", "system")


def merge(base: UpdateStrategy | None, override: UpdateStrategy | None) -> UpdateStrategy | None:
    """`override`'s set fields over `base`'s."""
    if base is None:
        return override.model_copy() if override is not None else None
    if override is None:
        return base.model_copy()
    return base.model_copy(update=override.model_dump(exclude_none=True))


def canonical_updates(job: Job) -> None:
    """Fill `job.update` and every group's `update` in place (on a copy the caller owns)."""
    if job.type not in _ROLLING_TYPES:
        # `job inspect` of a batch job prints Nomad's defaults; only a real block is refused.
        job.update = _unless_default(job.update)
        for group in job.task_groups:
            group.update = _unless_default(group.update)
        return
    job.update = merge(DEFAULT_UPDATE, _set_fields(job.update))
    for group in job.task_groups:
        group.update = merge(job.update, group.update)


def _unless_default(update: UpdateStrategy | None) -> UpdateStrategy | None:
    if update is None or merge(DEFAULT_UPDATE, _set_fields(update)) == DEFAULT_UPDATE:
        return None
    return update


def _set_fields(update: UpdateStrategy | None) -> UpdateStrategy | None:
    if update is None:
        return None
    unset = {name: None for name in _ZERO_IS_UNSET if not getattr(update, name)}
    return update.model_copy(update=unset)


_ZERO_IS_UNSET = ("stagger", "health_check", "min_healthy_time", "healthy_deadline",
                  "progress_deadline")


def update_problems(group: TaskGroup, job_type: str, path: str,
                    err: Callable[[str, str], None]) -> None:
    """Nomad's `UpdateStrategy.Validate`, for a canonicalized group."""
    u = group.update
    if u is None:
        return
    where = f"{path}.Update"
    if job_type not in _ROLLING_TYPES:
        err(where, f'Job type "{job_type}" does not allow update block')
        return
    if u.health_check not in HEALTH_CHECKS:
        err(f"{where}.HealthCheck", f'Invalid health check given: "{u.health_check}"')
    if (u.max_parallel or 0) < 0:
        err(f"{where}.MaxParallel", "Max parallel can not be less than zero")
    if (u.canary or 0) < 0:
        err(f"{where}.Canary", "Canary count can not be less than zero")
    if not u.canary and u.auto_promote:
        err(f"{where}.AutoPromote", "Auto Promote requires a Canary count greater than zero")
    if (u.canary or 0) > 0 and job_type == "system":
        err(f"{where}.Canary", "Canaries are not supported by system jobs")
    _durations(u, where, err)


def _durations(u: UpdateStrategy, where: str, err: Callable[[str, str], None]) -> None:
    min_healthy, healthy = u.min_healthy_time or 0, u.healthy_deadline or 0
    progress = u.progress_deadline or 0
    if min_healthy < 0:
        err(f"{where}.MinHealthyTime", "Minimum healthy time may not be less than zero")
    if healthy <= 0:
        err(f"{where}.HealthyDeadline", "Healthy deadline must be greater than zero")
    if progress < 0:
        err(f"{where}.ProgressDeadline", "Progress deadline must be zero or greater")
    if min_healthy >= healthy:
        err(f"{where}.MinHealthyTime", "Minimum healthy time must be less than healthy deadline")
    if progress != 0 and healthy >= progress:
        err(f"{where}.HealthyDeadline", "Healthy deadline must be less than progress deadline")
    if (u.stagger or 0) <= 0:
        err(f"{where}.Stagger", "Stagger must be greater than zero")
