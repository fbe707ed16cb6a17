"""Nomad's restart tracker: after a task run ends, restart (after how long) or stop, and why.

`attempts` restarts are allowed within `interval`, counted from the start of the
current interval; past that, mode `fail` gives up and mode `delay` waits until the
interval is over. Restart delays carry no jitter here, so messages read
"Task restarting in 15s" exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from caravan.client.drivers.base import ExitResult
from caravan.durations import format_duration
from caravan.structs import RestartPolicy, TaskLifecycleConfig

REASON_NO_RESTARTS = "Policy allows no restarts"
REASON_UNRECOVERABLE = "Error was unrecoverable"
REASON_WITHIN_POLICY = "Restart within policy"
REASON_DELAY = "Exceeded allowed attempts, applying a delay"
REASON_SUCCESS = "Restart unnecessary as task terminated successfully"

_S = 1_000_000_000
_DEFAULTS = {"batch": (3, 24 * 3600 * _S), "sysbatch": (3, 24 * 3600 * _S)}
_SERVICE_DEFAULT = (2, 30 * 60 * _S)


@dataclass(frozen=True)
class Decision:
    kind: Literal["restart", "complete", "fail"]
    delay_ns: int = 0
    reason: str = ""


def restarts_on_success(job_type: str, hook: TaskLifecycleConfig | None) -> bool:
    """Batch tasks are done when they succeed; service tasks run until stopped. Lifecycle
    tasks go by their hook: sidecars run until stopped, the others are done (Nomad's rule)."""
    if hook is not None and hook.hook:
        return hook.sidecar and hook.hook != "poststop"
    return job_type not in ("batch", "sysbatch")


class RestartTracker:
    def __init__(self, job_type: str, policy: RestartPolicy | None, now: int,
                 count: int = 0, interval_start: int | None = None,
                 hook: TaskLifecycleConfig | None = None) -> None:
        """`count` and `interval_start` restore a tracker kept across an agent restart."""
        attempts, interval = _DEFAULTS.get(job_type, _SERVICE_DEFAULT)
        policy = policy or RestartPolicy()
        self.attempts = attempts if policy.attempts is None else policy.attempts
        self.interval_ns = interval if policy.interval is None else policy.interval
        self.delay_ns = 15 * _S if policy.delay is None else policy.delay
        self.mode = policy.mode or "fail"
        self.restart_on_success = restarts_on_success(job_type, hook)
        self.count = count
        self.interval_start = now if interval_start is None else interval_start

    def decide(self, now: int, result: ExitResult | None, recoverable: bool) -> Decision:
        """`result` is the exit of a run, or None when the task failed to start."""
        succeeded = result is not None and result.successful()
        if self.attempts == 0:
            if succeeded and not self.restart_on_success:
                return Decision("complete", reason=REASON_NO_RESTARTS)
            return Decision("fail", reason=REASON_NO_RESTARTS)
        if now > self.interval_start + self.interval_ns:
            self.count, self.interval_start = 0, now
        self.count += 1
        if result is None and not recoverable:
            return Decision("fail", reason=REASON_UNRECOVERABLE)
        if succeeded and not self.restart_on_success:
            return Decision("complete", reason=REASON_SUCCESS)
        if self.count > self.attempts:
            if self.mode == "fail":
                return Decision("fail", reason=(
                    f"Exceeded allowed attempts {self.attempts} in interval "
                    f'{format_duration(self.interval_ns)} and mode is "fail"'))
            return Decision("restart", self.interval_start + self.interval_ns - now, REASON_DELAY)
        return Decision("restart", self.delay_ns, REASON_WITHIN_POLICY)
