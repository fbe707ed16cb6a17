"""Task events with Nomad's types, details and display messages; RFC3339 task-state times."""

from __future__ import annotations

from datetime import UTC, datetime

from caravan.client.drivers.base import ExitResult
from caravan.durations import format_duration
from caravan.structs import TaskEvent

RECEIVED = "Received"
TASK_SETUP = "Task Setup"
STARTED = "Started"
TERMINATED = "Terminated"
RESTARTING = "Restarting"
NOT_RESTARTING = "Not Restarting"
KILLING = "Killing"
KILLED = "Killed"
DRIVER_FAILURE = "Driver Failure"
DRIVER_MESSAGE = "Driver"
FAILED_VALIDATION = "Failed Validation"
HOOK_FAILED = "Task hook failed"
RESTART_SIGNALED = "Restart Signaled"
SIGNALING = "Signaling"
SIBLING_FAILED = "Sibling Task Failed"
LEADER_DEAD = "Leader Task Dead"
MAIN_DEAD = "Main Tasks Dead"
FAILED_RESTORING = "Failed Restoring Task"

REASON_WITHIN_POLICY = "Restart within policy"


def rfc3339(ns: int) -> str:
    """Go's RFC3339Nano for a Unix-nanosecond time, as Nomad renders TaskState times."""
    seconds, frac = divmod(ns, 1_000_000_000)
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{frac:09d}".rstrip("0")
    return f"{text}.{fraction}Z" if fraction else f"{text}Z"


def event(kind: str, now: int, display: str, *, message: str = "",
          details: dict[str, str] | None = None, fails_task: bool = False) -> TaskEvent:
    all_details = dict(details or {})
    if fails_task:
        all_details["fails_task"] = "true"
    return TaskEvent(type=kind, time=now, message=message, display_message=display,
                     details=all_details, fails_task=fails_task)


def received(now: int) -> TaskEvent:
    return event(RECEIVED, now, "Task received by client")


def task_setup(now: int, message: str) -> TaskEvent:
    return event(TASK_SETUP, now, message, message=message)


def driver_message(now: int, message: str) -> TaskEvent:
    """Something the driver tells the user; Nomad shows the message itself."""
    return event(DRIVER_MESSAGE, now, message).model_copy(update={"driver_message": message})


def started(now: int) -> TaskEvent:
    return event(STARTED, now, "Task started by client")


def terminated(now: int, result: ExitResult) -> TaskEvent:
    parts = [f"Exit Code: {result.exit_code}"]
    details = {"exit_code": str(result.exit_code), "signal": str(result.signal),
               "oom_killed": "true" if result.oom_killed else "false"}
    if result.signal:
        parts.append(f"Signal: {result.signal}")
    if result.oom_killed:
        parts.append("OOM Killed")
    if result.err:
        parts.append(f'Exit Message: "{result.err}"')
        details["exit_message"] = result.err
    ev = event(TERMINATED, now, ", ".join(parts), message=result.err, details=details)
    return ev.model_copy(update={"exit_code": result.exit_code, "signal": result.signal})


def killing(now: int, kill_timeout_ns: int) -> TaskEvent:
    ev = event(KILLING, now,
               f"Sent interrupt. Waiting {format_duration(kill_timeout_ns)} before force killing",
               details={"kill_timeout": format_duration(kill_timeout_ns)})
    return ev.model_copy(update={"kill_timeout": kill_timeout_ns})


def killed(now: int) -> TaskEvent:
    return event(KILLED, now, "Task successfully killed")


def restarting(now: int, delay_ns: int, reason: str) -> TaskEvent:
    text = f"Task restarting in {format_duration(delay_ns)}"
    if reason and reason != REASON_WITHIN_POLICY:
        text = f"{reason} - {text}"
    ev = event(RESTARTING, now, text,
               details={"start_delay": str(delay_ns), "restart_reason": reason})
    return ev.model_copy(update={"start_delay": delay_ns, "restart_reason": reason})


def not_restarting(now: int, reason: str) -> TaskEvent:
    ev = event(NOT_RESTARTING, now, reason or "Task exceeded restart policy",
               details={"restart_reason": reason}, fails_task=True)
    return ev.model_copy(update={"restart_reason": reason})


def driver_failure(now: int, error: str) -> TaskEvent:
    ev = event(DRIVER_FAILURE, now, error or "Failed to start task",
               details={"driver_error": error})
    return ev.model_copy(update={"driver_error": error})


def failed_validation(now: int, error: str) -> TaskEvent:
    ev = event(FAILED_VALIDATION, now, error or "Validation of task failed",
               details={"validation_error": error})
    return ev.model_copy(update={"validation_error": error})


def hook_failed(now: int, message: str) -> TaskEvent:
    return event(HOOK_FAILED, now, message, message=message)


def restart_signaled(now: int, reason: str) -> TaskEvent:
    ev = event(RESTART_SIGNALED, now, reason or "Task signaled to restart",
               details={"restart_reason": reason})
    return ev.model_copy(update={"restart_reason": reason})


def signaling(now: int, signal: str, reason: str = "") -> TaskEvent:
    if signal and reason:
        text = f"Task being sent signal {signal}: {reason}"
    else:
        text = reason or (f"Task being sent signal {signal}" if signal else
                          "Task being sent a signal")
    return event(SIGNALING, now, text, details={"signal": signal})


def sibling_failed(now: int, sibling: str) -> TaskEvent:
    return event(SIBLING_FAILED, now, f'Task\'s sibling "{sibling}" failed',
                 details={"failed_sibling": sibling})


def leader_dead(now: int) -> TaskEvent:
    return event(LEADER_DEAD, now, "Leader Task in Group dead")


def main_dead(now: int) -> TaskEvent:
    """For a sidecar stopped because every main task of its group has died."""
    return event(MAIN_DEAD, now, "Main tasks in the group died")


def failed_restoring(now: int, error: str) -> TaskEvent:
    return event(FAILED_RESTORING, now, error, message=error)
