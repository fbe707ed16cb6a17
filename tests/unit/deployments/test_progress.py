"""The deployment watcher's step (pure): counts, success, failure, deadlines, promotion."""

from __future__ import annotations

from caravan.server.deployments import progress
from caravan.server.scheduler.reschedule import format_time
from caravan.structs import AllocDeploymentStatus, Allocation, Deployment, DeploymentState

NOW = 1_700_000_000 * 1_000_000_000
S = 1_000_000_000


def deployment(**state: object) -> Deployment:
    base = DeploymentState(desired_total=2, progress_deadline=60 * S,
                           require_progress_by=format_time(NOW + 60 * S))
    return Deployment(id="d1", job_id="web", task_groups={"g": base.model_copy(update=state)})


def alloc(i: int, healthy: bool | None, canary: bool = False, deployment_id: str = "d1"
          ) -> Allocation:
    return Allocation(id=f"a{i}", task_group="g", deployment_id=deployment_id,
                      deployment_status=AllocDeploymentStatus(healthy=healthy, canary=canary))


def test_a_newly_healthy_alloc_asks_for_the_next_batch_and_pushes_the_deadline() -> None:
    step = progress.step(deployment(), [alloc(1, True), alloc(2, None),
                                        alloc(3, True, deployment_id="other")], NOW + S)
    state = step.deployment.task_groups["g"]
    assert (state.placed_allocs, state.healthy_allocs, state.unhealthy_allocs) == (2, 1, 0)
    assert state.require_progress_by == format_time(NOW + 61 * S)
    assert step.changed and step.wants_eval and step.deployment.status == "running"


def test_every_alloc_healthy_is_success() -> None:
    step = progress.step(deployment(), [alloc(1, True), alloc(2, True)], NOW)
    assert (step.deployment.status, step.deployment.status_description) == (
        "successful", "Deployment completed successfully")
    assert not step.wants_eval


def test_an_unhealthy_alloc_fails_the_deployment() -> None:
    step = progress.step(deployment(), [alloc(1, True), alloc(2, False)], NOW)
    assert step.failed_because == "Failed due to unhealthy allocations"


def test_a_missed_progress_deadline_fails_it_but_not_while_paused() -> None:
    late = NOW + 61 * S
    assert progress.step(deployment(), [alloc(1, None)], late).failed_because == (
        "Failed due to progress deadline")
    paused = deployment().model_copy(update={"status": "paused"})
    assert progress.step(paused, [alloc(1, None)], late).failed_because == ""


def test_canaries_wait_for_promotion_or_are_promoted_automatically() -> None:
    manual = progress.step(deployment(desired_canaries=1), [alloc(1, True, canary=True)],
                           NOW + 120 * S)
    assert manual.failed_because == ""     # healthy canaries waiting: no deadline failure
    assert manual.deployment.status_description == (
        "Deployment is running but requires manual promotion")
    auto = progress.step(deployment(desired_canaries=1, auto_promote=True),
                         [alloc(1, True, canary=True)], NOW)
    assert auto.deployment.task_groups["g"].promoted and auto.wants_eval


def test_nothing_new_changes_nothing() -> None:
    first = progress.step(deployment(), [alloc(1, None)], NOW)
    again = progress.step(first.deployment, [alloc(1, None)], NOW)
    assert not again.changed and not again.wants_eval
