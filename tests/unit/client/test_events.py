"""Task event display texts and task-state times, as Nomad renders them."""

from __future__ import annotations

import pytest

from caravan.client.drivers.base import ExitResult
from caravan.client.drivers.signals import signal_number
from caravan.client.taskrunner import events
from caravan.structs import TaskEvent

S = 1_000_000_000


@pytest.mark.parametrize(("event", "display"), [
    (events.received(0), "Task received by client"),
    (events.task_setup(0, "Building Task Directory"), "Building Task Directory"),
    (events.started(0), "Task started by client"),
    (events.terminated(0, ExitResult(exit_code=0)), "Exit Code: 0"),
    (events.terminated(0, ExitResult(exit_code=137, signal=9)), "Exit Code: 137, Signal: 9"),
    (events.terminated(0, ExitResult(exit_code=-1, err="executor exited unexpectedly")),
     'Exit Code: -1, Exit Message: "executor exited unexpectedly"'),
    (events.killing(0, 5 * S), "Sent interrupt. Waiting 5s before force killing"),
    (events.killed(0), "Task successfully killed"),
    (events.restarting(0, 15 * S, "Restart within policy"), "Task restarting in 15s"),
    (events.restarting(0, 90 * S, "Exceeded allowed attempts, applying a delay"),
     "Exceeded allowed attempts, applying a delay - Task restarting in 1m30s"),
    (events.not_restarting(0, ""), "Task exceeded restart policy"),
    (events.driver_failure(0, "raw_exec is disabled"), "raw_exec is disabled"),
    (events.signaling(0, "SIGHUP"), "Task being sent signal SIGHUP"),
    (events.sibling_failed(0, "db"), 'Task\'s sibling "db" failed'),
])
def test_display_messages(event: TaskEvent, display: str) -> None:
    assert event.display_message == display


def test_terminated_details() -> None:
    ev = events.terminated(7, ExitResult(exit_code=137, signal=9))
    assert (ev.type, ev.time, ev.exit_code, ev.signal) == ("Terminated", 7, 137, 9)
    assert ev.details == {"exit_code": "137", "signal": "9", "oom_killed": "false"}


def test_not_restarting_fails_the_task() -> None:
    ev = events.not_restarting(0, "Error was unrecoverable")
    assert ev.fails_task and ev.details["fails_task"] == "true"


@pytest.mark.parametrize(("ns", "text"), [
    (0, "1970-01-01T00:00:00Z"),
    (1_700_000_000_000_000_000, "2023-11-14T22:13:20Z"),
    (1_700_000_000_000_000_001, "2023-11-14T22:13:20.000000001Z"),
    (1_700_000_000_500_000_000, "2023-11-14T22:13:20.5Z"),
])
def test_rfc3339(ns: int, text: str) -> None:
    assert events.rfc3339(ns) == text


@pytest.mark.parametrize(("name", "number"), [
    ("SIGINT", 2), ("sighup", 1), ("USR1", 10), ("9", 9), ("SIGBOGUS", 2), ("", 2),
])
def test_signal_names(name: str, number: int) -> None:
    assert signal_number(name) == number
