"""The lifecycle coordinator opens each stage's gate from the tasks' states alone."""

from __future__ import annotations

from caravan.client.allocrunner.coordinator import Coordinator
from caravan.structs import Task, TaskLifecycleConfig, TaskState

TASKS = [
    Task(name="init", lifecycle=TaskLifecycleConfig(hook="prestart")),
    Task(name="side", lifecycle=TaskLifecycleConfig(hook="prestart", sidecar=True)),
    Task(name="main"),
    Task(name="post", lifecycle=TaskLifecycleConfig(hook="poststart")),
    Task(name="after", lifecycle=TaskLifecycleConfig(hook="poststop")),
]


def open_gates(coordinator: Coordinator, **states: str) -> set[str]:
    every = {t.name: "pending" for t in TASKS} | states
    coordinator.update({name: TaskState(state=state.removesuffix("!"),
                                        failed=state.endswith("!"))
                        for name, state in every.items()})
    return {t.name for t in TASKS if coordinator.gate(t).is_set()}


def test_each_stage_opens_in_order() -> None:
    c = Coordinator(TASKS)
    assert open_gates(c) == {"init", "side"}
    assert open_gates(c, init="running", side="running") == {"init", "side"}
    # the prestart task succeeded and the sidecar runs: main may start, init may not rerun
    assert open_gates(c, init="dead", side="running") == {"side", "main"}
    assert open_gates(c, init="dead", side="running", main="running") == {
        "side", "main", "post"}
    assert open_gates(c, init="dead", side="running", main="running", post="dead") == {
        "side", "main"}
    assert open_gates(c, init="dead", side="dead", main="dead", post="dead") == {"after"}


def test_a_failed_prestart_task_keeps_main_closed_and_lets_poststop_run() -> None:
    c = Coordinator(TASKS)
    assert open_gates(c, init="dead!", side="running") == {"init", "side"}
    # the alloc runner kills the rest; once every other task is dead, poststop runs
    assert open_gates(c, init="dead!", side="dead", main="dead", post="dead") == {"after"}


def test_a_group_without_hooks_opens_main_at_once() -> None:
    c = Coordinator([Task(name="a"), Task(name="b")])
    c.update({"a": TaskState(), "b": TaskState()})
    assert c.gate(Task(name="a")).is_set()
