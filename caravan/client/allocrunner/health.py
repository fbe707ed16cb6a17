"""An allocation's health in its deployment, decided on its node as Nomad's client does,
and reported to the server with the allocation's status (`DeploymentStatus.Healthy`).

    watching starts when the allocation is undecided and belongs to a deployment (its
    group's `update` block rules) or to a service group (its `migrate` block rules)
      ├─ a task failed, or `healthy_deadline` passed ─▶ unhealthy
      └─ every task that must run is running (prestart tasks finished), and with
         health_check "checks" every check passing, continuously for
         `min_healthy_time` ─▶ healthy

`health_check = "manual"` leaves the decision to `/v1/deployment/allocation-health`.
`decide_health` is pure; `HealthWatcher` is the loop that re-judges on task changes, check
results and the `min_healthy_time` timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from caravan.client.allocrunner.coordinator import Stage, stage_of
from caravan.structs import (
    AllocDeploymentStatus,
    Allocation,
    CheckQueryResult,
    Task,
    TaskGroup,
    TaskState,
    UpdateStrategy,
)
from caravan.structs.drain import MigrateStrategy
from caravan.structs.acl import parse_rfc3339_ns, rfc3339_nano

_CHECK_POLL_S = 0.25  # check results change without telling us


@dataclass(frozen=True)
class Verdict:
    healthy: bool | None       # None: not decided yet
    wake_at: int = 0           # when to judge again without a change (0: on a change only)
    polls_checks: bool = False


def decide_health(alloc: Allocation, states: Mapping[str, TaskState],
          checks: list[CheckQueryResult], checks_ok_since: int, started: int,
          now: int) -> Verdict:
    group = alloc.job.group(alloc.task_group) if alloc.job else None
    u = _strategy(alloc, group)
    if group is None or u is None or u.health_check == "manual":
        return Verdict(None)
    if any(s.state == "dead" and s.failed for s in states.values()):
        return Verdict(False)
    deadline = started + (u.healthy_deadline or 0)
    if now >= deadline:
        return Verdict(False)
    since = _running_since(group.tasks, states)
    use_checks = u.health_check == "checks" and bool(checks)
    if use_checks:
        since = max(since, checks_ok_since) if since and checks_ok_since else 0
    if not since:
        return Verdict(None, deadline, polls_checks=use_checks)
    healthy_at = since + (u.min_healthy_time or 0)
    if now >= healthy_at:
        return Verdict(True)
    return Verdict(None, min(healthy_at, deadline), polls_checks=use_checks)


def _strategy(alloc: Allocation, group: TaskGroup | None
              ) -> UpdateStrategy | MigrateStrategy | None:
    """A deployment's allocation follows `update`; any other of a service group follows
    `migrate`, so that a drain knows when a moved allocation is healthy (Nomad's rule)."""
    if group is None:
        return None
    return group.update if alloc.deployment_id else group.migrate


def _running_since(tasks: list[Task], states: Mapping[str, TaskState]) -> int:
    """Since when every task that must run has been running (0: not all are)."""
    since = 0
    for task in tasks:
        state = states.get(task.name)
        stage = stage_of(task)
        if state is None or stage is Stage.POSTSTOP:
            continue
        if stage in (Stage.PRESTART, Stage.POSTSTART):  # ephemeral: finished is fine
            if state.state == "dead" and not state.failed:
                continue
            if stage is Stage.PRESTART or state.state != "running":
                return 0
        if state.state != "running":
            return 0
        since = max(since, parse_rfc3339_ns(state.started_at),
                    parse_rfc3339_ns(state.last_restart))
    return since


def checks_passing(checks: list[CheckQueryResult]) -> bool:
    return all(c.status == "success" for c in checks if c.mode == "healthiness")


class HealthHost(Protocol):
    @property
    def alloc(self) -> Allocation: ...

    def task_states(self) -> dict[str, TaskState]: ...

    def check_results(self) -> list[CheckQueryResult]: ...


class HealthWatcher:
    """Decides the allocation's health once per deployment; `status` is what to report."""

    def __init__(self, host: HealthHost, now_ns: Callable[[], int],
                 on_change: Callable[[], None]) -> None:
        self._host = host
        self._now_ns = now_ns
        self._on_change = on_change
        self._poked = asyncio.Event()
        self.status: AllocDeploymentStatus | None = None
        self._deployment = ""
        self._started = 0           # when watching this deployment's health began
        self._checks_ok_since = 0   # since when every check has passed (0: not now)

    def poke(self) -> None:
        self._poked.set()

    async def run(self) -> None:
        """Judge until cancelled (the allocation's end)."""
        while True:
            await self._wait(self.judge())

    def judge(self) -> Verdict:
        """Judge now (also called when the allocation's status is reported, so that a task
        failing as the allocation ends is not missed)."""
        alloc = self._host.alloc
        if alloc.deployment_id != self._deployment:  # a new deployment: start over
            self._deployment, self._started, self._checks_ok_since = alloc.deployment_id, 0, 0
            self.status = None
        if not self._undecided(alloc):
            return Verdict(None)
        now = self._now_ns()
        self._started = self._started or now
        checks = self._host.check_results()
        self._checks_ok_since = (self._checks_ok_since or now) if checks_passing(checks) else 0
        verdict = decide_health(alloc, self._host.task_states(), checks, self._checks_ok_since,
                        self._started, now)
        if verdict.healthy is not None:
            self._decide(alloc, verdict.healthy, now)
        return verdict

    def _undecided(self, alloc: Allocation) -> bool:
        decided = alloc.deployment_status is not None and \
            alloc.deployment_status.healthy is not None
        group = alloc.job.group(alloc.task_group) if alloc.job else None
        return _strategy(alloc, group) is not None and not decided \
            and self.status is None and alloc.desired_status == "run"

    def _decide(self, alloc: Allocation, healthy: bool, now: int) -> None:
        base = alloc.deployment_status or AllocDeploymentStatus()
        self.status = base.model_copy(update={"healthy": healthy,
                                              "timestamp": rfc3339_nano(now)})
        self._on_change()

    async def _wait(self, verdict: Verdict) -> None:
        timeout: float | None = None
        if verdict.wake_at:
            timeout = max(0.0, (verdict.wake_at - self._now_ns()) / 1e9)
        if verdict.polls_checks:
            timeout = min(timeout if timeout is not None else _CHECK_POLL_S, _CHECK_POLL_S)
        try:
            async with asyncio.timeout(timeout):
                await self._poked.wait()
        except TimeoutError:
            pass
        self._poked.clear()
