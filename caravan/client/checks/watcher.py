"""The checks of one allocation: a loop per check, its latest result, `check_restart`.

A check runs while its service is registered (a group service: while the allocation
lives and is not being stopped; a task service: while its task runs), first at once
and then every `interval`; otherwise its result is "pending". With `check_restart`,
`limit` failures in a row (none counted within `grace` of the task's start) restart
the task, as a failure its restart policy counts.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from caravan.client.checks.probes import Outcome, http_probe, script_probe, tcp_probe
from caravan.client.drivers.base import Driver
from caravan.client.services import address_of
from caravan.structs import Allocation, CheckQueryResult, Node, Service, ServiceCheck

log = logging.getLogger(__name__)
_NS = 1_000_000_000


class CheckHost(Protocol):
    """What the alloc runner offers its checks."""

    @property
    def alloc(self) -> Allocation: ...

    def services_live(self) -> bool:
        """Whether the allocation lives and is not being stopped (group services)."""

    def task_running(self, task: str) -> bool: ...

    def task_started_ns(self, task: str) -> int:
        """When the task last started (0 when it has not); "": the latest of any task."""

    def exec_target(self, task: str) -> tuple[Driver, str] | None:
        """The driver and task ID a script check runs its command with."""

    async def restart_task(self, task: str, reason: str) -> None:
        """Restart `task` if it runs; "": every running task."""


@dataclass(frozen=True)
class WatchedCheck:
    id: str
    check: ServiceCheck
    service: Service
    group: str
    task: str  # the task owning the service; "" for a group service
    runs_in: str  # the task a script runs in, and the one check_restart restarts

    @property
    def interval_s(self) -> float:
        return self.check.interval / _NS

    @property
    def timeout_s(self) -> float:
        return self.check.timeout / _NS


def watched_checks(alloc: Allocation) -> list[WatchedCheck]:
    group = alloc.job.group(alloc.task_group) if alloc.job else None
    if group is None:
        return []
    scoped = [(s, "") for s in group.services or []]
    scoped += [(s, t.name) for t in group.tasks for s in t.services or []]
    return [WatchedCheck(_check_id(alloc.id, group.name, task, service.name, check.name),
                         check, service, group.name, task,
                         task or check.task_name or service.task_name)
            for service, task in scoped for check in service.checks or []]


def _check_id(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


class CheckWatcher:
    def __init__(self, host: CheckHost, node: Node, now_ns: Callable[[], int]) -> None:
        self._host = host
        self._node = node
        self._now_ns = now_ns
        self.checks = watched_checks(host.alloc)
        self._results = {c.id: self._pending(c) for c in self.checks}

    def results(self) -> dict[str, CheckQueryResult]:
        return dict(self._results)

    async def run(self) -> None:
        """Run every check until cancelled (the allocation's end)."""
        if not self.checks:
            return
        async with asyncio.TaskGroup() as group:
            for check in self.checks:
                group.create_task(self._loop(check), name=f"check {check.check.name}")

    async def _loop(self, watched: WatchedCheck) -> None:
        failures = 0
        while True:
            if not self._active(watched):
                self._results[watched.id] = self._pending(watched)
                failures = 0
            else:
                outcome = await self._probe(watched)
                self._results[watched.id] = self._result(watched, outcome)
                failures = await self._count(watched, outcome, failures)
            await asyncio.sleep(watched.interval_s)

    def _active(self, watched: WatchedCheck) -> bool:
        if watched.task:
            return self._host.task_running(watched.task)
        return self._host.services_live()

    async def _probe(self, watched: WatchedCheck) -> Outcome:
        check = watched.check
        if check.type == "script":
            target = self._host.exec_target(watched.runs_in)
            if target is None:
                return Outcome("failure", f'task "{watched.runs_in}" is not running')
            driver, task_id = target
            return await script_probe(driver, task_id, [check.command, *(check.args or [])],
                                      watched.timeout_s)
        host, port = address_of(self._host.alloc, self._node,
                                check.port_label or watched.service.port_label,
                                watched.task or watched.runs_in or None)
        if check.type == "tcp":
            return await tcp_probe(host, port, watched.timeout_s)
        path = check.path if check.path.startswith("/") else f"/{check.path}"
        address = f"[{host}]" if ":" in host else host
        return await http_probe(f"{check.protocol}://{address}:{port}{path}", check.method,
                                check.header, check.body, watched.timeout_s)

    async def _count(self, watched: WatchedCheck, outcome: Outcome, failures: int) -> int:
        """Failures in a row for `check_restart`; restarts the task at its limit."""
        restart = watched.check.check_restart
        task = watched.runs_in  # "": a group service's check restarts every running task
        if restart is None or restart.limit <= 0:
            return 0
        healthy = outcome.status == "success" or (outcome.warning and restart.ignore_warnings)
        in_grace = self._now_ns() - self._host.task_started_ns(task) < restart.grace
        if healthy or in_grace:
            return 0
        failures += 1
        if failures < restart.limit:
            return failures
        log.info("check %r of alloc %s failed %d times: restarting %s", watched.check.name,
                 self._host.alloc.id, failures, f"task {task}" if task else "its tasks")
        await self._host.restart_task(task, f'healthcheck: check "{watched.check.name}" '
                                            "unhealthy")
        return 0

    def _pending(self, watched: WatchedCheck) -> CheckQueryResult:
        return self._result(watched, Outcome("pending", ""))

    def _result(self, watched: WatchedCheck, outcome: Outcome) -> CheckQueryResult:
        return CheckQueryResult(
            id=watched.id, mode="readiness" if watched.check.on_update == "ignore"
            else "healthiness", status=outcome.status, status_code=outcome.status_code,
            output=outcome.output, timestamp=self._now_ns() // _NS, group=watched.group,
            task=watched.task, service=watched.service.name, check=watched.check.name)


