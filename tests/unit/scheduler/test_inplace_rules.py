"""Nomad's in-place vs destructive update rules, and group resources by lifecycle stage."""

from __future__ import annotations

import pytest

from caravan.server.scheduler.inplace import destructive_change
from caravan.server.scheduler.proposed import Ask
from caravan.structs import (
    Constraint,
    Job,
    LogConfig,
    Resources,
    RestartPolicy,
    Service,
    Task,
    TaskGroup,
    TaskLifecycleConfig,
    UpdateStrategy,
    canonicalize,
)
from caravan.structs.lifecycle_resources import combined

from .factories import alloc, job, node, run, task


def base() -> Job:
    return canonicalize(Job(id="web", meta={"team": "a"}, task_groups=[TaskGroup(
        name="g", count=2, tasks=[Task(name="t", driver="raw_exec", config={"command": "x"},
                                       resources=Resources(cpu=100, memory_mb=64))])]))


def changed(job: Job, **task_fields: object) -> Job:
    group = job.task_groups[0]
    tasks = [group.tasks[0].model_copy(update=task_fields)]
    return job.model_copy(update={"version": job.version + 1,
                                  "task_groups": [group.model_copy(update={"tasks": tasks})]})


@pytest.mark.parametrize("fields", [
    {"kill_timeout": 9}, {"kill_signal": "SIGINT"},
    {"constraints": [Constraint(l_target="${attr.kernel.name}", r_target="linux")]},
    {"restart_policy": RestartPolicy(attempts=9, interval=1, delay=1, mode="delay")},
    {"services": [Service(name="s", provider="nomad")]},
    {"log_config": LogConfig(max_files=3)},
])
def test_in_place(fields: dict) -> None:
    assert destructive_change(base(), changed(base(), **fields), "g") == ""


@pytest.mark.parametrize("fields, reason", [
    ({"config": {"command": "y"}}, "task config"), ({"env": {"A": "1"}}, "task env"),
    ({"driver": "exec"}, "task driver"), ({"user": "nobody"}, "task user"),
    ({"resources": Resources(cpu=200, memory_mb=64)}, "task resources"),
    ({"meta": {"k": "v"}}, "task meta"),
    ({"log_config": LogConfig(disabled=True)}, "task log disabled"),
])
def test_destructive(fields: dict, reason: str) -> None:
    assert destructive_change(base(), changed(base(), **fields), "g") == reason


def test_group_and_job_changes() -> None:
    old = base()
    update_only = old.model_copy(update={"version": 1, "task_groups": [
        old.task_groups[0].model_copy(update={"update": UpdateStrategy(max_parallel=3),
                                              "count": 5})]})
    assert destructive_change(old, update_only, "g") == ""
    meta = old.model_copy(update={"version": 1, "meta": {"team": "b"}})
    assert destructive_change(old, meta, "g") == "task meta"


def test_a_kill_timeout_change_keeps_the_allocations() -> None:
    n = node(1)
    v0 = job(count=2)
    group = v0.task_groups[0]
    v1 = v0.model_copy(update={"version": 1, "task_groups": [group.model_copy(update={
        "tasks": [group.tasks[0].model_copy(update={"kill_timeout": 42})]})]})
    existing = [alloc(v0, n, 0), alloc(v0, n, 1)]
    from .factories import MemoryState
    result = run(MemoryState([n], [v1], existing), v1)
    assert result.plan.stops() == []
    assert sorted(a.id for a in result.plan.placements()) == sorted(a.id for a in existing)


def test_lifecycle_stages_take_the_larger_not_the_sum() -> None:
    pre = TaskLifecycleConfig(hook="prestart")
    side = TaskLifecycleConfig(hook="prestart", sidecar=True)
    post = TaskLifecycleConfig(hook="poststop")
    assert combined([(pre, 500, 1000), (None, 100, 200), (post, 50, 300)]) == (500, 1000)
    assert combined([(side, 10, 20), (None, 100, 200), (pre, 50, 50)]) == (110, 220)
    group = TaskGroup(name="g", tasks=[
        task("init", cpu=300, memory=512, lifecycle=pre), task("main", cpu=100, memory=256),
        task("log", cpu=50, memory=64, lifecycle=side)])
    ask = Ask.of(group)
    assert (ask.cpu, ask.memory) == (350, 576)
