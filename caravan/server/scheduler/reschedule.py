"""Rescheduling failed allocations: when, how often, and the follow-up evals that wait.

A failed allocation (client status "failed", desired "run") is rescheduled per its
group's `reschedule` policy, read from the job version the allocation runs:

* eligible while `unlimited`, or while fewer than `attempts` reschedules happened
  within `interval` before the failure;
* not before `failure time + delay`, the delay growing with the allocation's
  reschedule history: `constant`, `exponential` (doubling) or `fibonacci`, capped at
  `max_delay` (and reset to `delay` once the allocation ran longer than the cap);
* when that time is more than a second away, one "pending" eval per 5-second batch
  of failures waits until it (`wait_until`), and the failed allocations are marked
  with its ID (`followup_eval_id`) so later evals do not create it again.

A failure reported by a client is worth an evaluation only while the allocation is
eligible (`failure_needs_eval`). System and sysbatch jobs have no reschedule policy:
their failed allocation stays as it is (no replacement loop); the next evaluation the
job gets for another reason (a node update, a new version) places it again.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from caravan.clock import NS_PER_SECOND
from caravan.ids import IdGenerator
from caravan.structs import (
    Allocation,
    Evaluation,
    Job,
    RescheduleEvent,
    ReschedulePolicy,
    RescheduleTracker,
)

RESCHEDULE_WINDOW = NS_PER_SECOND
BATCH_WINDOW = 5 * NS_PER_SECOND
MAX_PAST_EVENTS = 5
FOLLOWUP_DESCRIPTION = "created for delayed rescheduling"
_RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def parse_time(text: str) -> int:
    """Unix nanoseconds of an RFC 3339 time; 0 for Go's zero time or an unreadable one."""
    match = _RFC3339.match(text)
    if match is None or text.startswith("0001-"):
        return 0
    zone = "+00:00" if match.group(3) == "Z" else match.group(3)
    seconds = int(datetime.fromisoformat(match.group(1) + zone).timestamp())
    return seconds * NS_PER_SECOND + int((match.group(2) or "0").ljust(9, "0"))


def format_time(ns: int) -> str:
    """RFC 3339 with nanoseconds, trailing zeros trimmed, as Go prints a time.Time."""
    seconds, fraction = divmod(ns, NS_PER_SECOND)
    base = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{fraction:09d}".rstrip("0")
    return f"{base}.{digits}Z" if digits else f"{base}Z"


class Decision(enum.Enum):
    NOW = "now"
    LATER = "later"
    NEVER = "never"   # not (or not yet) eligible: the failed allocation stays as it is


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    at: int = 0


def policy_of(alloc: Allocation, job: Job) -> ReschedulePolicy | None:
    source = alloc.job if alloc.job is not None else job
    group = source.group(alloc.task_group) or job.group(alloc.task_group)
    return group.reschedule_policy if group is not None else None


def fail_time(alloc: Allocation) -> int:
    finished = [parse_time(s.finished_at) for s in (alloc.task_states or {}).values()]
    latest = max(finished, default=0)
    return latest or alloc.modify_time


def next_delay(alloc: Allocation, policy: ReschedulePolicy) -> int:
    base = policy.delay or 0
    events = alloc.reschedule_tracker.events if alloc.reschedule_tracker else []
    if not events or policy.delay_function not in ("exponential", "fibonacci"):
        return base
    if policy.delay_function == "exponential":
        delay = events[-1].delay * 2
    elif len(events) >= 2:
        last, before = events[-1].delay, events[-2].delay
        restarted = before == policy.max_delay and last == base
        delay = last if restarted else last + before
    else:
        delay = base
    cap = policy.max_delay or 0
    if cap > 0 and delay > cap:
        delay = cap
        # A long-lived allocation starts the series again.
        if fail_time(alloc) - events[-1].reschedule_time > cap:
            delay = base
    return delay


def _eligible(alloc: Allocation, policy: ReschedulePolicy, failed_at: int) -> bool:
    attempts = policy.attempts or 0
    if policy.unlimited:
        return True
    events = alloc.reschedule_tracker.events if alloc.reschedule_tracker else []
    interval = policy.interval or 0
    attempted = sum(1 for e in events if failed_at - e.reschedule_time < interval)
    return attempts > 0 and attempted < attempts


def failure_needs_eval(alloc: Allocation, job: Job, now: int) -> bool:
    """Whether a client's report that `alloc` failed (at `now`) should create an
    "alloc-failure" evaluation: the latest `job` may still reschedule it (Nomad's
    RescheduleEligible), and no follow-up eval is already waiting for it."""
    if job.type in ("system", "sysbatch") or alloc.followup_eval_id:
        return False
    group = job.group(alloc.task_group)
    policy = group.reschedule_policy if group is not None else None
    return policy is not None and _eligible(alloc, policy, now)


def classify(alloc: Allocation, job: Job, now: int, eval_id: str) -> Verdict:
    """Whether a failed allocation is replaced now, by a follow-up eval, or not at all."""
    if alloc.desired_transition.force_reschedule:
        return Verdict(Decision.NOW)
    policy = policy_of(alloc, job)
    failed_at = fail_time(alloc)
    if (policy is None or alloc.desired_status == "stop" or alloc.client_status != "failed"
            or not failed_at or not _eligible(alloc, policy, failed_at)):
        return Verdict(Decision.NEVER)
    at = failed_at + next_delay(alloc, policy)
    if alloc.followup_eval_id == eval_id or at - now <= RESCHEDULE_WINDOW:
        return Verdict(Decision.NOW, at)
    if not alloc.followup_eval_id:
        return Verdict(Decision.LATER, at)
    return Verdict(Decision.NEVER, at)


def tracker_for(prev: Allocation, job: Job, now: int) -> RescheduleTracker:
    """The reschedule history a replacement of `prev` carries."""
    policy = policy_of(prev, job) or ReschedulePolicy()
    past = prev.reschedule_tracker.events if prev.reschedule_tracker else []
    if (policy.attempts or 0) > 0:
        interval = policy.interval or 0
        kept = [e for e in past if interval > 0 and now - e.reschedule_time <= interval]
    else:
        kept = past[-MAX_PAST_EVENTS:]
    event = RescheduleEvent(reschedule_time=now, prev_alloc_id=prev.id,
                            prev_node_id=prev.node_id, delay=next_delay(prev, policy))
    return RescheduleTracker(events=[e.model_copy() for e in kept] + [event])


def followups(later: list[tuple[Allocation, int]], job: Job, priority: int, now: int,
              new_id: IdGenerator) -> tuple[list[Evaluation], list[Allocation]]:
    """Follow-up evals for failures of one group, and the annotated allocation copies."""
    evals: list[Evaluation] = []
    annotated: list[Allocation] = []
    batch_start = 0
    for alloc, at in sorted(later, key=lambda pair: pair[1]):
        if not evals or at - batch_start >= BATCH_WINDOW:
            batch_start = at
            evals.append(Evaluation(
                id=new_id(), namespace=job.namespace, priority=priority, type=job.type,
                triggered_by="alloc-failure", job_id=job.id,
                job_modify_index=job.job_modify_index, status="pending",
                status_description=FOLLOWUP_DESCRIPTION, wait_until=format_time(at),
                create_time=now, modify_time=now))
        annotated.append(alloc.model_copy(
            update={"followup_eval_id": evals[-1].id, "modify_time": now}))
    return evals, annotated
