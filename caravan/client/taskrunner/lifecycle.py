"""The task lifecycle as a pure state machine: events in, actions out.

                 ┌───────── StartAfter(delay) ◀── Restarting ◀──┐
                 ▼                                               │
    pending ──Starting──▶ (starting) ──Started──▶ running ──Exited──▶ restart policy
                 │             └──StartFailed──────────────────────▶ restart policy
                 │                                                     │
                 └──KillRequested──▶ dead ◀── Not Restarting / done ◀──┘
    running ──KillRequested──▶ StopTask ... Exited ──▶ Killed ──▶ dead
    running ──RestartRequested──▶ StopTask ... Exited ──▶ Restarting in 0s
    (agent restart) Starting ──Reattached──▶ running    ──ReattachFailed──▶ pending
                            ──Started (a start the agent died before recording)──▶ running

The restart policy is Nomad's restart tracker: `attempts` failures within
`interval`; past that, mode `fail` stops for good and mode `delay` waits for the
interval to end. Batch tasks that exit 0 are complete and never restarted.
No I/O, no clock: every event carries its time; the task runner performs the actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from caravan.client.drivers.base import ExitResult
from caravan.client.taskrunner import events
from caravan.client.taskrunner.policy import RestartTracker
from caravan.errors import CaravanError
from caravan.structs import RestartPolicy, TaskEvent, TaskLifecycleConfig, TaskState

State = Literal["pending", "running", "dead"]


class TaskNotRunning(CaravanError):
    status = 400

    def __init__(self) -> None:
        super().__init__("Task not running")


# --- events ---------------------------------------------------------------

@dataclass(frozen=True)
class Starting:
    now: int


@dataclass(frozen=True)
class Started:
    now: int


@dataclass(frozen=True)
class Reattached:
    """A task started before an agent restart is ours again (no new `Started` event)."""

    now: int


@dataclass(frozen=True)
class ReattachFailed:
    """It could not be re-attached: it starts afresh, unless it is being killed."""

    now: int


@dataclass(frozen=True)
class StartFailed:
    now: int
    event: TaskEvent | None  # Driver Failure, Failed Validation, Task hook failed; None: aborted
    recoverable: bool = False


@dataclass(frozen=True)
class Exited:
    now: int
    result: ExitResult


@dataclass(frozen=True)
class KillRequested:
    now: int
    kill_timeout_ns: int


@dataclass(frozen=True)
class RestartRequested:
    now: int
    reason: str
    failure: bool = False


Event = (Starting | Started | Reattached | ReattachFailed | StartFailed | Exited | KillRequested
         | RestartRequested)


# --- actions --------------------------------------------------------------

@dataclass(frozen=True)
class Emit:
    event: TaskEvent


@dataclass(frozen=True)
class SetState:
    state: State
    now: int
    failed: bool = False


@dataclass(frozen=True)
class StartAfter:
    delay_ns: int


@dataclass(frozen=True)
class StopTask:
    """Stop the running task with its kill signal and timeout."""


Action = Emit | SetState | StartAfter | StopTask


class TaskLifecycle:
    def __init__(self, job_type: str, policy: RestartPolicy | None, now: int,
                 state: State = "pending",
                 restarts: tuple[int, int | None] | None = None,
                 hook: TaskLifecycleConfig | None = None) -> None:
        """`restarts` is a restored tracker: (failures counted, interval start or None)."""
        self.tracker = RestartTracker(job_type, policy, now, *(restarts or (0, None)), hook=hook)
        self.state: State = state
        self.starting = False
        self.killing = False
        self.restart_triggered = False

    def handle(self, event: Event) -> list[Action]:
        match event:
            case Starting():
                self.starting = True
                return []
            case Started(now=now):
                return self._started(now)
            case Reattached(now=now):
                self.starting, self.state = False, "running"
                return [SetState("running", now), *([StopTask()] if self.killing else [])]
            case ReattachFailed(now=now):
                self.starting = False
                if self.killing:
                    self.state = "dead"
                    return [SetState("dead", now)]
                return []
            case StartFailed():
                self.starting = False
                failure: list[Action] = [Emit(event.event)] if event.event else []
                return [*failure, *self._after_run(event.now, None, event.recoverable)]
            case Exited(now=now, result=result):
                return [Emit(events.terminated(now, result)), *self._after_run(now, result, True)]
            case KillRequested(now=now, kill_timeout_ns=timeout):
                return self._kill(now, timeout)
            case RestartRequested():
                return self._restart(event)

    def _started(self, now: int) -> list[Action]:
        self.starting = False
        self.state = "running"
        actions: list[Action] = [Emit(events.started(now)), SetState("running", now)]
        return [*actions, StopTask()] if self.killing else actions

    def _after_run(self, now: int, result: ExitResult | None, recoverable: bool) -> list[Action]:
        """After a run ended (or never began): killed, restart, or done."""
        if self.killing:
            self.state = "dead"
            tail: list[Action] = [Emit(events.killed(now))] if result is not None else []
            return [*tail, SetState("dead", now)]
        if self.restart_triggered:
            self.restart_triggered = False
            return self._restarting(now, 0, "")
        decision = self.tracker.decide(now, result, recoverable)
        if decision.kind == "restart":
            return self._restarting(now, decision.delay_ns, decision.reason)
        self.state = "dead"
        if decision.kind == "complete":
            return [SetState("dead", now)]
        return [Emit(events.not_restarting(now, decision.reason)),
                SetState("dead", now, failed=True)]

    def _restarting(self, now: int, delay_ns: int, reason: str) -> list[Action]:
        self.state = "pending"
        return [Emit(events.restarting(now, delay_ns, reason)), SetState("pending", now),
                StartAfter(delay_ns)]

    def _kill(self, now: int, timeout_ns: int) -> list[Action]:
        if self.state == "dead" or self.killing:
            return []
        self.killing = True
        actions: list[Action] = [Emit(events.killing(now, timeout_ns))]
        if self.state == "running":
            return [*actions, StopTask()]
        if self.starting:
            return actions  # stopped as soon as the start returns
        self.state = "dead"
        return [*actions, SetState("dead", now)]

    def _restart(self, event: RestartRequested) -> list[Action]:
        if self.state != "running" or self.killing:
            raise TaskNotRunning()
        # A restart that counts as a failure goes through the restart policy on exit.
        self.restart_triggered = not event.failure
        return [Emit(events.restart_signaled(event.now, event.reason)), StopTask()]


def record(state: TaskState, action: Emit | SetState) -> None:
    """Apply an action to the reported TaskState, as Nomad's task runner updates it."""
    if isinstance(action, Emit):
        ev = action.event
        state.events = [*state.events, ev][-10:]  # Nomad keeps the last 10 events
        if ev.fails_task:
            state.failed = True
        if ev.type == events.RESTARTING:
            state.restarts += 1
            state.last_restart = events.rfc3339(ev.time)
        return
    if action.state == "running" and state.state != "running":
        state.started_at = events.rfc3339(action.now)
    if action.state == "dead":
        state.finished_at = events.rfc3339(action.now)
        state.failed = state.failed or action.failed
    state.state = action.state
