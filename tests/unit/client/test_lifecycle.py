"""The task lifecycle machine and restart policy, fed events: no processes."""

from __future__ import annotations

import pytest

from caravan.client.drivers.base import ExitResult
from caravan.client.taskrunner import events
from caravan.client.taskrunner.lifecycle import (
    Action,
    Emit,
    Exited,
    KillRequested,
    Reattached,
    ReattachFailed,
    RestartRequested,
    SetState,
    StartAfter,
    StartFailed,
    Started,
    Starting,
    StopTask,
    TaskLifecycle,
    TaskNotRunning,
    record,
)
from caravan.structs import RestartPolicy, TaskState

S = 1_000_000_000
MIN = 60 * S
FAIL = ExitResult(exit_code=1)
OK = ExitResult(exit_code=0)


def policy(attempts: int = 2, interval: int = 30 * MIN, delay: int = 15 * S,
           mode: str = "fail") -> RestartPolicy:
    return RestartPolicy(attempts=attempts, interval=interval, delay=delay, mode=mode)


def emitted(actions: list[Action]) -> list[tuple[str, str]]:
    return [(a.event.type, a.event.display_message) for a in actions if isinstance(a, Emit)]


def run_once(machine: TaskLifecycle, now: int, result: ExitResult) -> list[Action]:
    machine.handle(Starting(now))
    machine.handle(Started(now))
    return machine.handle(Exited(now, result))


def test_started_emits_event_and_running_state() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    assert machine.handle(Starting(1)) == []
    actions = machine.handle(Started(2))
    assert emitted(actions) == [("Started", "Task started by client")]
    assert SetState("running", 2) in actions
    assert machine.state == "running"


def test_service_failure_restarts_within_policy_then_fails() -> None:
    machine = TaskLifecycle("service", policy(attempts=2), now=0)
    for attempt in (1, 2):
        actions = run_once(machine, attempt * S, FAIL)
        assert emitted(actions) == [("Terminated", "Exit Code: 1"),
                                    ("Restarting", "Task restarting in 15s")]
        assert StartAfter(15 * S) in actions
        assert machine.state == "pending"
    actions = run_once(machine, 3 * S, FAIL)
    assert emitted(actions) == [
        ("Terminated", "Exit Code: 1"),
        ("Not Restarting", 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"')]
    assert SetState("dead", 3 * S, failed=True) in actions
    assert machine.state == "dead"


def test_service_success_is_also_restarted() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    actions = run_once(machine, S, OK)
    assert StartAfter(15 * S) in actions


def test_batch_success_completes_without_restart() -> None:
    machine = TaskLifecycle("batch", policy(attempts=3, interval=24 * 60 * MIN), now=0)
    actions = run_once(machine, S, OK)
    assert emitted(actions) == [("Terminated", "Exit Code: 0")]
    assert actions[-1] == SetState("dead", S)
    assert not any(isinstance(a, StartAfter) for a in actions)


def test_batch_failure_is_restarted() -> None:
    machine = TaskLifecycle("batch", policy(attempts=3), now=0)
    assert StartAfter(15 * S) in run_once(machine, S, FAIL)


def test_attempts_reset_in_a_new_interval() -> None:
    machine = TaskLifecycle("service", policy(attempts=1, interval=10 * S), now=0)
    assert StartAfter(15 * S) in run_once(machine, 1 * S, FAIL)
    # 20 s later the interval has passed: the count starts again.
    assert StartAfter(15 * S) in run_once(machine, 21 * S, FAIL)
    assert machine.state == "pending"


def test_delay_mode_waits_for_the_interval_to_end() -> None:
    machine = TaskLifecycle("service", policy(attempts=1, interval=60 * S, mode="delay"), now=0)
    run_once(machine, 5 * S, FAIL)
    actions = run_once(machine, 10 * S, FAIL)
    assert StartAfter(50 * S) in actions
    assert emitted(actions)[-1] == (
        "Restarting", "Exceeded allowed attempts, applying a delay - Task restarting in 50s")
    assert machine.state == "pending"


def test_zero_attempts_never_restarts() -> None:
    machine = TaskLifecycle("service", policy(attempts=0), now=0)
    actions = run_once(machine, S, FAIL)
    assert emitted(actions)[-1] == ("Not Restarting", "Policy allows no restarts")
    assert machine.state == "dead"


def test_unrecoverable_start_failure_fails_at_once() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    machine.handle(Starting(S))
    failure = events.driver_failure(S, 'binary "nope" could not be found')
    actions = machine.handle(StartFailed(S, failure))
    assert emitted(actions) == [("Driver Failure", 'binary "nope" could not be found'),
                                ("Not Restarting", "Error was unrecoverable")]
    assert SetState("dead", S, failed=True) in actions


def test_recoverable_start_failure_follows_policy() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    machine.handle(Starting(S))
    failure = events.hook_failed(S, "artifacts: timeout")
    actions = machine.handle(StartFailed(S, failure, recoverable=True))
    assert StartAfter(15 * S) in actions


def test_kill_while_running_stops_then_reports_killed() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    machine.handle(Starting(0))
    machine.handle(Started(0))
    actions = machine.handle(KillRequested(S, 5 * S))
    assert emitted(actions) == [("Killing", "Sent interrupt. Waiting 5s before force killing")]
    assert StopTask() in actions
    actions = machine.handle(Exited(2 * S, ExitResult(exit_code=130, signal=2)))
    assert emitted(actions) == [("Terminated", "Exit Code: 130, Signal: 2"),
                                ("Killed", "Task successfully killed")]
    assert actions[-1] == SetState("dead", 2 * S)
    assert machine.handle(KillRequested(3 * S, 5 * S)) == []


def test_kill_while_waiting_to_restart_marks_dead() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    run_once(machine, S, FAIL)
    actions = machine.handle(KillRequested(2 * S, 5 * S))
    assert actions[-1] == SetState("dead", 2 * S)
    assert machine.state == "dead"


def test_kill_during_start_stops_as_soon_as_started() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    machine.handle(Starting(0))
    assert not any(isinstance(a, SetState) for a in machine.handle(KillRequested(S, S)))
    assert StopTask() in machine.handle(Started(2 * S))


def test_user_restart_restarts_at_once_without_counting() -> None:
    machine = TaskLifecycle("service", policy(attempts=0), now=0)
    machine.handle(Starting(0))
    machine.handle(Started(0))
    actions = machine.handle(RestartRequested(S, "User requested task to restart"))
    assert emitted(actions) == [("Restart Signaled", "User requested task to restart")]
    assert StopTask() in actions
    actions = machine.handle(Exited(2 * S, ExitResult(exit_code=130, signal=2)))
    assert emitted(actions)[-1] == ("Restarting", "Task restarting in 0s")
    assert StartAfter(0) in actions


def test_restart_of_a_task_that_is_not_running_is_refused() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    with pytest.raises(TaskNotRunning, match="Task not running"):
        machine.handle(RestartRequested(S, "why"))


def test_record_keeps_task_state_fields() -> None:
    state = TaskState()
    record(state, SetState("running", 1_700_000_000_123_000_000))
    assert state.state == "running"
    assert state.started_at == "2023-11-14T22:13:20.123Z"
    record(state, Emit(events.restarting(1_700_000_001_000_000_000, 15 * S, "")))
    assert state.restarts == 1
    assert state.last_restart == "2023-11-14T22:13:21Z"
    record(state, Emit(events.not_restarting(2, "Policy allows no restarts")))
    record(state, SetState("dead", 1_700_000_002_000_000_000))
    assert (state.state, state.failed) == ("dead", True)
    assert state.finished_at == "2023-11-14T22:13:22Z"
    assert [e.type for e in state.events] == ["Restarting", "Not Restarting"]


def test_reattached_task_is_running_without_a_new_started_event() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    machine.handle(Starting(0))
    assert machine.handle(Reattached(S)) == [SetState("running", S)]
    assert machine.state == "running"


def test_kill_before_reattach_stops_the_task_once_reattached() -> None:
    machine = TaskLifecycle("service", policy(), now=0)
    machine.handle(Starting(0))
    actions = machine.handle(KillRequested(S, 5 * S))
    assert not any(isinstance(a, (SetState, StopTask)) for a in actions)
    assert StopTask() in machine.handle(Reattached(2 * S))


def test_failed_reattach_while_killing_is_dead_else_starts_again() -> None:
    killed = TaskLifecycle("service", policy(), now=0)
    killed.handle(Starting(0))
    killed.handle(KillRequested(S, S))
    assert killed.handle(ReattachFailed(2 * S)) == [SetState("dead", 2 * S)]
    fresh = TaskLifecycle("service", policy(), now=0)
    fresh.handle(Starting(0))
    assert fresh.handle(ReattachFailed(2 * S)) == []
    assert fresh.state == "pending"


def test_restored_restart_count_keeps_counting() -> None:
    """An agent restart hands the machine its tracker: two failures already counted of an
    interval that began at 5 s leave one restart for the third failure, none after."""
    machine = TaskLifecycle("service", policy(attempts=3), now=100 * S, restarts=(2, 5 * S))
    assert any(isinstance(a, StartAfter) for a in run_once(machine, 101 * S, FAIL))
    assert machine.tracker.count == 3 and machine.tracker.interval_start == 5 * S
    final = run_once(machine, 102 * S, FAIL)
    assert SetState("dead", 102 * S, failed=True) in final


def test_restored_interval_start_still_expires() -> None:
    """A restored interval that ended while the agent was down starts counting afresh."""
    machine = TaskLifecycle("service", policy(attempts=1, interval=10 * S), now=100 * S,
                            restarts=(1, 5 * S))
    assert any(isinstance(a, StartAfter) for a in run_once(machine, 100 * S, FAIL))
    assert machine.tracker.count == 1 and machine.tracker.interval_start == 100 * S
