"""Rescheduling failed allocations: delays, follow-up evals, attempts, the tracker."""

from __future__ import annotations

from typing import Any

import pytest

from caravan.server.scheduler.reschedule import (
    failure_needs_eval,
    format_time,
    next_delay,
    parse_time,
)
from caravan.structs import (
    Allocation,
    Job,
    Node,
    RescheduleEvent,
    ReschedulePolicy,
    RescheduleTracker,
    TaskState,
)

from .factories import NOW, SECOND, FixedClock, MemoryState, alloc, job, node, run

MINUTE = 60 * SECOND


def failed(j: Job, n: Node, *, at: int, index: int = 0, **over: Any) -> Allocation:
    return alloc(j, n, index, client_status="failed", modify_time=at, **over)


def test_time_round_trip() -> None:
    assert format_time(NOW + 25 * SECOND) == "2023-11-14T22:13:45Z"
    assert format_time(NOW + 1500) == "2023-11-14T22:13:20.0000015Z"
    assert parse_time("2023-11-14T22:13:20.0000015Z") == NOW + 1500
    assert parse_time("2023-11-14T23:13:20+01:00") == NOW
    assert parse_time("0001-01-01T00:00:00Z") == 0


def test_delay_not_elapsed_makes_one_followup_eval_and_no_placement() -> None:
    n = node(1)
    j = job(count=1)
    dead = failed(j, n, at=NOW - 5 * SECOND)
    result = run(MemoryState([n], [j], [dead]), j)
    (followup,) = result.followup_evals
    assert (followup.status, followup.triggered_by) == ("pending", "alloc-failure")
    assert followup.wait_until == format_time(NOW + 25 * SECOND)   # service: 30s delay
    assert followup.status_description == "created for delayed rescheduling"
    assert (followup.job_id, followup.type) == ("web", "service")
    (annotated,) = result.plan.placements()
    assert annotated.id == dead.id and annotated.followup_eval_id == followup.id
    assert annotated.client_status == "failed" and annotated.desired_status == "run"
    assert result.plan.stops() == []
    assert result.blocked_eval is None
    assert result.eval_update.queued_allocations == {"g": 0}


def test_followup_eval_then_places_the_replacement() -> None:
    n1, n2 = node(1), node(2)
    j = job(count=1)
    dead = failed(j, n1, at=NOW - 5 * SECOND)
    state = MemoryState([n1, n2], [j], [dead])
    first = run(state, j)
    state.apply(first)
    (followup,) = first.followup_evals
    # a job-triggered eval in between must not create a second follow-up
    between = run(state, j, id="e2")
    assert between.followup_evals == [] and between.plan.is_noop()

    later = FixedClock(parse_time(followup.wait_until))
    result = run(state, j, clock=later, id=followup.id, triggered_by="alloc-failure")
    (replacement,) = result.plan.placements()
    (stopped,) = result.plan.stops()
    assert stopped.id == dead.id
    assert stopped.desired_description == "alloc was rescheduled because it failed"
    assert stopped.next_allocation == replacement.id
    assert replacement.previous_allocation == dead.id
    assert replacement.name == dead.name
    assert replacement.node_id == n2.id          # the failed node is penalised
    tracker = replacement.reschedule_tracker
    assert tracker is not None
    (event,) = tracker.events
    assert (event.prev_alloc_id, event.prev_node_id, event.delay) == (dead.id, n1.id, 30 * SECOND)
    assert event.reschedule_time == later.now


def test_elapsed_delay_places_at_once() -> None:
    n = node(1)
    j = job(count=1)
    dead = failed(j, n, at=NOW - 31 * SECOND)
    result = run(MemoryState([n], [j], [dead]), j)
    assert result.followup_evals == []
    (replacement,) = result.plan.placements()
    assert replacement.previous_allocation == dead.id


def test_fail_time_comes_from_task_states() -> None:
    n = node(1)
    j = job(count=1)
    states = {"web": TaskState(state="dead", failed=True,
                               finished_at=format_time(NOW - 2 * SECOND))}
    dead = failed(j, n, at=NOW - 3600 * SECOND, task_states=states)
    (followup,) = run(MemoryState([n], [j], [dead]), j).followup_evals
    assert followup.wait_until == format_time(NOW + 28 * SECOND)


def test_failures_close_together_share_one_followup() -> None:
    n = node(1)
    j = job(count=3)
    dead = [failed(j, n, at=NOW - 5 * SECOND, index=0),
            failed(j, n, at=NOW - 3 * SECOND, index=1),
            failed(j, n, at=NOW + 10 * SECOND, index=2)]
    result = run(MemoryState([n], [j], dead), j)
    assert [e.wait_until for e in result.followup_evals] == [
        format_time(NOW + 25 * SECOND), format_time(NOW + 40 * SECOND)]
    marks = sorted(a.followup_eval_id for a in result.plan.placements())
    first, second = (e.id for e in result.followup_evals)
    assert marks == sorted([first, first, second])


def test_batch_attempts_run_out() -> None:
    n = node(1)
    j = job(count=1, type="batch")        # batch default: 1 attempt in 24h, 5s constant
    history = RescheduleTracker(events=[RescheduleEvent(
        reschedule_time=NOW - MINUTE, prev_alloc_id="x", prev_node_id=n.id, delay=5 * SECOND)])
    dead = failed(j, n, at=NOW - 10 * SECOND, reschedule_tracker=history)
    result = run(MemoryState([n], [j], [dead]), j)
    assert result.plan.is_noop() and result.followup_evals == []

    fresh = failed(j, n, at=NOW - 10 * SECOND)
    result = run(MemoryState([n], [j], [fresh]), j)
    (replacement,) = result.plan.placements()
    assert replacement.previous_allocation == fresh.id


def test_no_reschedule_policy_leaves_the_failure_alone() -> None:
    n = node(1)
    off = ReschedulePolicy(attempts=0, unlimited=False)
    j = job(count=1, group={"reschedule_policy": off})
    result = run(MemoryState([n], [j], [failed(j, n, at=NOW - 3600 * SECOND)]), j)
    assert result.plan.is_noop()


def events(*delays: int) -> RescheduleTracker:
    return RescheduleTracker(events=[
        RescheduleEvent(reschedule_time=NOW - 10 * SECOND, delay=d) for d in delays])


@pytest.mark.parametrize("function, history, expected", [
    ("constant", (), 10),
    ("constant", (10, 10), 10),
    ("exponential", (), 10),
    ("exponential", (10,), 20),
    ("exponential", (10, 20, 40), 80),
    ("exponential", (80,), 100),          # capped at max_delay
    ("fibonacci", (), 10),
    ("fibonacci", (10,), 10),
    ("fibonacci", (10, 10), 20),
    ("fibonacci", (10, 20), 30),
    ("fibonacci", (50, 60), 100),         # capped
    ("fibonacci", (100, 10), 10),         # series restarted after the cap
])
def test_delay_functions(function: str, history: tuple[int, ...], expected: int) -> None:
    policy = ReschedulePolicy(delay=10 * SECOND, delay_function=function,
                              max_delay=100 * SECOND, unlimited=True)
    j = job(count=1, group={"reschedule_policy": policy})
    dead = failed(j, node(1), at=NOW - SECOND,
                  reschedule_tracker=events(*(d * SECOND for d in history)))
    assert next_delay(dead, policy) == expected * SECOND


def test_delay_resets_for_a_long_running_allocation() -> None:
    policy = ReschedulePolicy(delay=10 * SECOND, delay_function="exponential",
                              max_delay=100 * SECOND, unlimited=True)
    j = job(count=1, group={"reschedule_policy": policy})
    long_ago = RescheduleTracker(events=[RescheduleEvent(
        reschedule_time=NOW - 3600 * SECOND, delay=80 * SECOND)])
    dead = failed(j, node(1), at=NOW, reschedule_tracker=long_ago)
    assert next_delay(dead, policy) == 10 * SECOND


def test_exponential_history_feeds_the_next_followup() -> None:
    n = node(1)
    j = job(count=1)
    dead = failed(j, n, at=NOW, reschedule_tracker=events(30 * SECOND, 60 * SECOND))
    (followup,) = run(MemoryState([n], [j], [dead]), j).followup_evals
    assert followup.wait_until == format_time(NOW + 120 * SECOND)


def test_followup_eval_stands_in_for_a_blocked_eval() -> None:
    n = node(1)
    j = job(count=50)                      # far more than one node holds
    dead = failed(j, n, at=NOW - 5 * SECOND)
    result = run(MemoryState([n], [j], [dead]), j)
    assert result.followup_evals and result.eval_update.failed_tg_allocs is not None
    assert result.blocked_eval is None     # the follow-up eval retries the rest

    delayed = run(MemoryState([n], [j], [dead]), j, wait_until=format_time(NOW - SECOND))
    assert delayed.blocked_eval is not None


def test_a_failed_system_allocation_wants_no_evaluation() -> None:
    """Nomad never reschedules system jobs: a failure creates no eval (no replacement loop)."""
    n = node(1)
    for job_type in ("system", "sysbatch"):
        j = job("agentd", type=job_type)
        assert not failure_needs_eval(failed(j, n, at=NOW), j, NOW)


def test_failure_needs_eval_only_while_a_reschedule_is_left() -> None:
    n = node(1)
    service = job(count=1)
    assert failure_needs_eval(failed(service, n, at=NOW), service, NOW)
    waiting = failed(service, n, at=NOW, followup_eval_id="f1")
    assert not failure_needs_eval(waiting, service, NOW)
    batch = job("b", type="batch")   # one attempt per 24 h
    assert failure_needs_eval(failed(batch, n, at=NOW), batch, NOW)
    used = RescheduleTracker(events=[RescheduleEvent(
        reschedule_time=NOW - MINUTE, prev_alloc_id="x", prev_node_id=n.id, delay=0)])
    assert not failure_needs_eval(failed(batch, n, at=NOW, reschedule_tracker=used), batch, NOW)
