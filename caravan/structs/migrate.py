"""The `migrate` block's canonical form and checks, as Nomad's API and server apply them.

A group inherits the job's `migrate` block, its own fields overriding; a service group
without one gets Nomad's default (`max_parallel 1, health_check "checks",
min_healthy_time 10s, healthy_deadline 5m`). Only service jobs take the block: batch
allocations on a draining node are left to finish, and system allocations go last.
"""

from __future__ import annotations

from collections.abc import Callable

from caravan.structs.drain import DEFAULT_MIGRATE, MIGRATE_HEALTH_CHECKS, MigrateStrategy
from caravan.structs.job import Job, TaskGroup


def merge(base: MigrateStrategy | None, override: MigrateStrategy | None
          ) -> MigrateStrategy | None:
    if base is None:
        return override.model_copy() if override is not None else None
    if override is None:
        return base.model_copy()
    return base.model_copy(update=override.model_dump(exclude_none=True))


def canonical_migrates(job: Job) -> None:
    """Fill every group's `migrate` in place (on a copy the caller owns)."""
    for group in job.task_groups:
        merged = merge(job.migrate, group.migrate)
        if merged is None and job.type == "service":
            merged = MigrateStrategy()
        if merged is not None:
            merged = merge(DEFAULT_MIGRATE, _unset_zeros(merged))
        if job.type != "service" and merged == DEFAULT_MIGRATE:
            merged = None  # Nomad's defaults, as `job inspect` prints them: nothing asked
        group.migrate = merged
    job.migrate = None  # merged into the groups, as Nomad's API does


def _unset_zeros(m: MigrateStrategy) -> MigrateStrategy:
    """What `job inspect` prints for an unset field is zero; Nomad's API fills those."""
    return m.model_copy(update={name: None for name in
                                ("health_check", "min_healthy_time", "healthy_deadline")
                                if not getattr(m, name)})


def migrate_problems(group: TaskGroup, job_type: str, path: str,
                     err: Callable[[str, str], None]) -> None:
    """Nomad's `MigrateStrategy.Validate`, for a canonicalized group."""
    m = group.migrate
    if m is None:
        return
    where = f"{path}.Migrate"
    if job_type != "service":
        err(where, f'Job type "{job_type}" does not allow migrate block')
        return
    if (m.max_parallel or 0) < 0:
        err(f"{where}.MaxParallel",
            f"MaxParallel must be >= 0 but found {m.max_parallel}")
    if m.health_check not in MIGRATE_HEALTH_CHECKS:
        err(f"{where}.HealthCheck", f'Invalid HealthCheck: "{m.health_check}"')
    min_healthy, deadline = m.min_healthy_time or 0, m.healthy_deadline or 0
    if min_healthy < 0:
        err(f"{where}.MinHealthyTime", "MinHealthyTime must be >= 0")
    if deadline < 0:
        err(f"{where}.HealthyDeadline", "HealthyDeadline must be >= 0")
    if min_healthy > deadline:
        err(f"{where}.MinHealthyTime", "MinHealthyTime must be less than HealthyDeadline")
