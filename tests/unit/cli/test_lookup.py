"""ID prefix handling and task selection messages."""

from __future__ import annotations

import pytest

from caravan.cli.lookup import invalid_task_message, only_task, sanitize_uuid_prefix
from caravan.structs import Allocation, Job, Task, TaskGroup


@pytest.mark.parametrize("prefix, trimmed", [
    ("abc", "ab"), ("abcd", "abcd"), ("abcde", "abcd"), ("abcdefgh-1", "abcdefgh-"),
    ("abcdefgh-12", "abcdefgh-12"), ("a", ""),
])
def test_prefix_trimmed_to_whole_bytes(prefix: str, trimmed: str) -> None:
    assert sanitize_uuid_prefix(prefix) == trimmed


def alloc_with_tasks(*names: str) -> Allocation:
    group = TaskGroup(name="web", tasks=[Task(name=n) for n in names])
    return Allocation(id="0a1b2c3d-0000-0000-0000-000000000001", task_group="web",
                      job=Job(id="j", task_groups=[group]))


def test_single_task_needs_no_name() -> None:
    assert only_task(alloc_with_tasks("server")) == ("server", None)


def test_several_tasks_ask_for_one() -> None:
    task, problem = only_task(alloc_with_tasks("server", "sidecar"))
    assert task == ""
    assert problem == ('Allocation "0a1b2c3d" is running the following tasks:\n'
                       "  * server\n  * sidecar\n\nPlease specify the task.")


def test_unknown_task_lists_the_known_ones() -> None:
    alloc = alloc_with_tasks("server", "sidecar")
    assert invalid_task_message(alloc, "server") is None
    assert invalid_task_message(alloc, "nope") == \
        "Could not find task named: nope, found:\nserver\nsidecar"


def test_missing_group() -> None:
    alloc = Allocation(task_group="gone", job=Job(id="j"))
    assert invalid_task_message(alloc, "x") == "Could not find allocation task group: gone"
