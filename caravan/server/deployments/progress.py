"""One step of a deployment, decided from its allocations (pure: no store, no clock).

    counts (placed, healthy, unhealthy, canaries) from the deployment's allocations
    ├─ an allocation unhealthy ─────────────────────▶ failed (auto_revert: roll back)
    ├─ a group past its progress deadline ──────────▶ failed (auto_revert: roll back)
    ├─ every canary healthy, auto_promote ──────────▶ promoted (an eval goes on)
    ├─ every group healthy == desired, promoted ────▶ successful (the version is stable)
    └─ more allocations healthy than before ────────▶ an eval places the next batch

A healthy allocation pushes its group's deadline to now + `progress_deadline`; a
deployment waiting for promotion with every canary healthy does not fail for time.
"""

from __future__ import annotations

from dataclasses import dataclass

from caravan.server.scheduler.reschedule import format_time, parse_time
from caravan.structs import Allocation, Deployment, DeploymentState
from caravan.structs.deployment import (
    DESC_AUTO_PROMOTION,
    DESC_FAILED_ALLOCS,
    DESC_NEEDS_PROMOTION,
    DESC_PROGRESS_DEADLINE,
    DESC_RUNNING,
    DESC_SUCCESSFUL,
    STATUS_FAILED,
    STATUS_PAUSED,
    STATUS_RUNNING,
    STATUS_SUCCESSFUL,
)


@dataclass(frozen=True)
class Step:
    deployment: Deployment          # the deployment as it should now be stored
    changed: bool                   # differs from what is stored
    wants_eval: bool = False        # the scheduler should place the next batch
    failed_because: str = ""        # the description to fail with (auto_revert decides)


def step(d: Deployment, allocs: list[Allocation], now: int) -> Step:
    """The next state of an active deployment `d`, given every allocation of its job."""
    mine = [a for a in allocs if a.deployment_id == d.id]
    groups = {name: _counted(state, [a for a in mine if a.task_group == name], now)
              for name, state in d.task_groups.items()}
    wants_eval = any(groups[n].healthy_allocs > s.healthy_allocs
                     for n, s in d.task_groups.items())
    nxt = d.model_copy(update={"task_groups": groups})
    failure = _failure(nxt, now)
    if failure:
        return Step(nxt, True, failed_because=failure)
    if _auto_promotable(nxt):
        nxt = promoted(nxt, None)
        wants_eval = True
    if nxt.status == STATUS_RUNNING:
        nxt = nxt.model_copy(update=_running_status(nxt))
    return Step(nxt, nxt != d, wants_eval and nxt.status == STATUS_RUNNING)


def _counted(state: DeploymentState, allocs: list[Allocation], now: int) -> DeploymentState:
    healthy = sum(1 for a in allocs if a.deployment_status and a.deployment_status.healthy)
    unhealthy = sum(1 for a in allocs if a.deployment_status
                    and a.deployment_status.healthy is False)
    canaries = [a.id for a in allocs if a.deployment_status and a.deployment_status.canary]
    update: dict[str, object] = {
        "placed_allocs": len(allocs), "healthy_allocs": healthy,
        "unhealthy_allocs": unhealthy, "placed_canaries": canaries or None}
    if healthy > state.healthy_allocs and state.progress_deadline:
        update["require_progress_by"] = format_time(now + state.progress_deadline)
    return state.model_copy(update=update)


def _failure(d: Deployment, now: int) -> str:
    if any(s.unhealthy_allocs for s in d.task_groups.values()):
        return DESC_FAILED_ALLOCS
    if d.status == STATUS_PAUSED:
        return ""
    for state in d.task_groups.values():
        by = parse_time(state.require_progress_by)
        if state.progress_deadline and by and now > by and not _group_done(state) \
                and not _awaiting_promotion(state):
            return DESC_PROGRESS_DEADLINE
    return ""


def _group_done(state: DeploymentState) -> bool:
    return state.healthy_allocs >= state.desired_total and (
        not state.desired_canaries or state.promoted)


def _awaiting_promotion(state: DeploymentState) -> bool:
    healthy_canaries = min(state.healthy_allocs, len(state.placed_canaries or []))
    return bool(state.desired_canaries) and not state.promoted and \
        healthy_canaries >= state.desired_canaries


def _auto_promotable(d: Deployment) -> bool:
    waiting = [s for s in d.task_groups.values() if s.desired_canaries and not s.promoted]
    return bool(waiting) and d.status == STATUS_RUNNING and all(
        s.auto_promote and _awaiting_promotion(s) for s in waiting)


def _running_status(d: Deployment) -> dict[str, object]:
    if all(_group_done(s) for s in d.task_groups.values()):
        return {"status": STATUS_SUCCESSFUL, "status_description": DESC_SUCCESSFUL}
    waiting = [s for s in d.task_groups.values() if s.desired_canaries and not s.promoted]
    if not waiting:
        return {"status_description": DESC_RUNNING}
    auto = all(s.auto_promote for s in waiting)
    return {"status_description": DESC_AUTO_PROMOTION if auto else DESC_NEEDS_PROMOTION}


def promoted(d: Deployment, groups: list[str] | None) -> Deployment:
    """`d` with its canary groups (`None`: all) promoted."""
    out = {name: s.model_copy(update={"promoted": True})
           if s.desired_canaries and (groups is None or name in groups) else s
           for name, s in d.task_groups.items()}
    return d.model_copy(update={"task_groups": out})


def failed(d: Deployment, description: str) -> Deployment:
    return d.model_copy(update={"status": STATUS_FAILED, "status_description": description})


def wants_revert(d: Deployment) -> bool:
    return any(s.auto_revert for s in d.task_groups.values())
