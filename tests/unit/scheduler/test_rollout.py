"""Rolling updates and canaries in the scheduler: a deployment per changed version,
`max_parallel` replacements gated on health, canaries beside the old version until
promoted, nothing more while paused or failed."""

from __future__ import annotations

from caravan.structs import AllocDeploymentStatus, Job, UpdateStrategy

from .factories import MemoryState, alloc, job, node, run, task

ROLL = UpdateStrategy(max_parallel=1, min_healthy_time=0)


def rolling_job(count: int = 4, **update: object) -> Job:
    return job(count=count, group={"update": ROLL.model_copy(update=update)})


def next_version(j: Job) -> Job:
    group = j.task_groups[0].model_copy(update={"tasks": [task(memory=512)]})
    return j.model_copy(update={"version": j.version + 1, "task_groups": [group]})


def replaced(result) -> list[str]:
    return sorted(a.name for a in result.plan.stops())


def healthy(state: MemoryState, result, value: bool = True) -> None:
    """Mark what `result` placed healthy (as the client would report it)."""
    for a in result.plan.placements():
        status = a.deployment_status or AllocDeploymentStatus()
        state._allocs[a.id] = a.model_copy(update={
            "client_status": "running",
            "deployment_status": status.model_copy(update={"healthy": value})})


def test_a_changed_version_rolls_max_parallel_at_a_time_gated_on_health() -> None:
    n = node(1)
    v0 = rolling_job()
    v1 = next_version(v0)
    state = MemoryState([n], [v1], [alloc(v0, n, i) for i in range(4)])
    first = run(state, v1)
    deployment = first.plan.deployment
    assert deployment is not None and deployment.job_version == 1
    assert deployment.task_groups["g"].desired_total == 4
    assert first.eval_update.deployment_id == deployment.id
    assert replaced(first) == ["web.g[0]"]
    assert all(a.deployment_id == deployment.id for a in first.plan.placements())
    state.apply(first)
    assert run(state, v1).plan.is_noop()      # the new alloc is not healthy yet
    healthy(state, first)
    second = run(state, v1)
    assert replaced(second) == ["web.g[1]"] and second.plan.deployment is None


def test_max_parallel_two_replaces_two() -> None:
    n = node(1)
    v0 = rolling_job(max_parallel=2)
    v1 = next_version(v0)
    result = run(MemoryState([n], [v1], [alloc(v0, n, i) for i in range(4)]), v1)
    assert replaced(result) == ["web.g[0]", "web.g[1]"]


def test_an_unhealthy_or_paused_deployment_replaces_nothing_more() -> None:
    n = node(1)
    v0 = rolling_job()
    v1 = next_version(v0)
    state = MemoryState([n], [v1], [alloc(v0, n, i) for i in range(4)])
    first = run(state, v1)
    state.apply(first)
    healthy(state, first, False)
    assert run(state, v1).plan.is_noop()
    healthy(state, first, True)
    key = (v1.namespace, v1.id)
    state.deployments[key] = state.deployments[key].model_copy(update={"status": "paused"})
    assert run(state, v1).plan.is_noop()


def test_canaries_run_beside_the_old_version_until_promoted() -> None:
    n = node(1)
    v0 = rolling_job(count=3, canary=1)
    v1 = next_version(v0)
    state = MemoryState([n], [v1], [alloc(v0, n, i) for i in range(3)])
    first = run(state, v1)
    (canary,) = first.plan.placements()
    assert canary.deployment_status is not None and canary.deployment_status.canary
    assert canary.name == "web.g[0]" and first.plan.stops() == []
    assert first.plan.deployment.task_groups["g"].desired_canaries == 1
    state.apply(first)
    healthy(state, first)
    assert run(state, v1).plan.is_noop()       # waits for promotion
    key = (v1.namespace, v1.id)
    d = state.deployments[key]
    groups = {"g": d.task_groups["g"].model_copy(update={"promoted": True})}
    state.deployments[key] = d.model_copy(update={"task_groups": groups})
    after = run(state, v1)
    # The canary takes the place of the old web.g[0]; one more old alloc is replaced.
    assert replaced(after) == ["web.g[0]", "web.g[1]"]
    assert canary.id not in {a.id for a in after.plan.stops()}


def test_a_new_version_cancels_the_running_deployment() -> None:
    n = node(1)
    v0 = rolling_job()
    v1 = next_version(v0)
    state = MemoryState([n], [v1], [alloc(v0, n, i) for i in range(4)])
    first = run(state, v1)
    state.apply(first)
    v2 = next_version(v1)
    state._jobs[(v2.namespace, v2.id)] = v2
    second = run(state, v2)
    (cancelled,) = second.plan.deployment_updates
    assert cancelled.id == first.plan.deployment.id
    assert (cancelled.status, cancelled.status_description) == (
        "cancelled", "Cancelled due to newer version of job")
    assert second.plan.deployment is not None and second.plan.deployment.job_version == 2


def test_scaling_up_a_running_version_needs_no_deployment() -> None:
    n = node(1)
    v0 = rolling_job(count=1)
    v1 = v0.model_copy(update={"task_groups": [v0.task_groups[0].model_copy(
        update={"count": 2})]})
    result = run(MemoryState([n], [v1], [alloc(v0, n, 0)]), v1)
    assert result.plan.deployment is None and len(result.plan.placements()) == 1


def test_stopping_the_job_cancels_its_deployment() -> None:
    n = node(1)
    v0 = rolling_job()
    v1 = next_version(v0)
    state = MemoryState([n], [v1], [alloc(v0, n, i) for i in range(4)])
    first = run(state, v1)
    state.apply(first)
    stopped = v1.model_copy(update={"stop": True})
    state._jobs[(v1.namespace, v1.id)] = stopped
    result = run(state, stopped)
    (cancelled,) = result.plan.deployment_updates
    assert (cancelled.status, cancelled.status_description) == (
        "cancelled", "Cancelled because job is stopped")
    assert len(result.plan.stops()) == 4
