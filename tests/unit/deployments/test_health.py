"""An allocation's health in its deployment, decided on the client (pure part)."""

from __future__ import annotations

from caravan.client.allocrunner.health import decide_health
from caravan.structs import (
    Allocation,
    CheckQueryResult,
    Job,
    Task,
    TaskGroup,
    TaskLifecycleConfig,
    TaskState,
    UpdateStrategy,
    canonicalize,
)
from caravan.structs.acl import rfc3339_nano

S = 1_000_000_000
T0 = 1_700_000_000 * S


def alloc(health_check: str = "task_states", prestart: bool = False) -> Allocation:
    tasks = [Task(name="main", driver="raw_exec")]
    if prestart:
        tasks.append(Task(name="init", driver="raw_exec",
                          lifecycle=TaskLifecycleConfig(hook="prestart")))
    group = TaskGroup(name="g", tasks=tasks, update=UpdateStrategy(
        health_check=health_check, min_healthy_time=10 * S, healthy_deadline=60 * S))
    job = canonicalize(Job(id="web", task_groups=[group]))
    return Allocation(id="a", job=job, task_group="g", deployment_id="d1")


def running(since: int) -> TaskState:
    return TaskState(state="running", started_at=rfc3339_nano(since))


def test_healthy_after_running_for_min_healthy_time() -> None:
    states = {"main": running(T0)}
    early = decide_health(alloc(), states, [], 0, T0, T0 + 5 * S)
    assert early.healthy is None and early.wake_at == T0 + 10 * S
    assert decide_health(alloc(), states, [], 0, T0, T0 + 10 * S).healthy is True


def test_a_failed_task_or_the_healthy_deadline_is_unhealthy() -> None:
    failed = {"main": TaskState(state="dead", failed=True)}
    assert decide_health(alloc(), failed, [], 0, T0, T0).healthy is False
    pending = {"main": TaskState(state="pending")}
    assert decide_health(alloc(), pending, [], 0, T0, T0 + 60 * S).healthy is False


def test_a_prestart_task_must_have_finished() -> None:
    states = {"main": running(T0), "init": TaskState(state="running")}
    assert decide_health(alloc(prestart=True), states, [], 0, T0, T0 + 20 * S).healthy is None
    states["init"] = TaskState(state="dead", failed=False)
    assert decide_health(alloc(prestart=True), states, [], 0, T0, T0 + 20 * S).healthy is True


def test_checks_must_pass_for_min_healthy_time() -> None:
    states = {"main": running(T0)}
    checks = [CheckQueryResult(status="success")]
    waiting = decide_health(alloc("checks"), states, checks, T0 + 5 * S, T0, T0 + 12 * S)
    assert waiting.healthy is None and waiting.polls_checks
    assert decide_health(alloc("checks"), states, checks, T0 + 5 * S, T0,
                         T0 + 15 * S).healthy is True
    # Without checks, "checks" means the task states alone.
    assert decide_health(alloc("checks"), states, [], 0, T0, T0 + 10 * S).healthy is True


def test_manual_health_is_never_decided_here() -> None:
    assert decide_health(alloc("manual"), {"main": running(T0)}, [], 0, T0,
                         T0 + 50 * S).healthy is None
