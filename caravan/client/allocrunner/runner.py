"""The alloc runner: runs one allocation's tasks on this node and reports how they are doing.

`run()` builds the alloc dir, runs every task runner, and a supervisor that applies
the group's rules: a task that failed kills its siblings (`Sibling Task Failed`), a
dead leader kills the rest (`Leader Task Dead`), and a server-side stop kills all.
It returns once every task is dead. Each change is persisted by a StateWriter (in a
thread; what must be on disk before a task acts is awaited there) so a restarted
agent re-attaches, and announced through `on_update` (so the client reports it).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from caravan.client.allocdir import AllocDir
from caravan.client.allocrunner.coordinator import Coordinator, Stage, is_sidecar, stage_of
from caravan.client.allocrunner.health import HealthWatcher
from caravan.client.allocrunner.status import client_status
from caravan.client.checks.watcher import CheckWatcher
from caravan.client.drivers.base import Driver, TaskResourceUsage
from caravan.client.identity import TaskIdentities
from caravan.client.services import registrations
from caravan.client.state import ClientStateStore, LocalAllocState
from caravan.client.state_writer import StateWriter
from caravan.client.stats import alloc_usage
from caravan.client.taskapi import TaskAPIConfig
from caravan.client.taskrunner import events
from caravan.client.taskrunner.lifecycle import TaskNotRunning
from caravan.client.taskrunner.runner import TaskRunner
from caravan.client.taskrunner.setup import TaskSetup
from caravan.client.template.source import TemplateSource
from caravan.clock import Clock
from caravan.config.agent import ClientConfig
from caravan.errors import CaravanError, InvalidInput
from caravan.structs import (
    AllocClientUpdate,
    AllocDeploymentStatus,
    Allocation,
    CheckQueryResult,
    Node,
    Task,
    TaskEvent,
    TaskState,
)
from caravan.structs.acl import parse_rfc3339_ns
from caravan.structs.stats import AllocResourceUsage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AllocRunnerDeps:
    """What every alloc runner of a client shares."""

    drivers: Mapping[str, Driver]
    alloc_root: Path  # <data_dir>/alloc
    executor_root: Path  # <data_dir>/client/executor: drivers' private per-task dirs
    node: Node
    client: ClientConfig
    clock: Clock
    host_env: Mapping[str, str]
    store: ClientStateStore
    identities: TaskIdentities | None = None  # the tasks' workload identities
    task_api: TaskAPIConfig | None = None  # where tasks' api.sock relays to
    template_source: TemplateSource | None = None  # what templates read of the cluster


class AllocRunner:
    def __init__(self, alloc: Allocation, deps: AllocRunnerDeps,
                 on_update: Callable[[str], None],
                 restored: LocalAllocState | None = None) -> None:
        self.alloc = alloc
        self.deps = deps
        self.alloc_dir = AllocDir(deps.alloc_root, alloc.id)
        self._on_update = on_update
        self._changed = asyncio.Event()
        self._stop_requested = False
        self._destroyed = False
        self._done = asyncio.Event()
        self._writer = StateWriter(deps.store, alloc.id, self._snapshot)
        saved = restored.tasks if restored else {}
        group = alloc.job.group(alloc.task_group) if alloc.job else None
        tasks = group.tasks if group else []
        self._coordinator = Coordinator(tasks)
        self.tasks: dict[str, TaskRunner] = {
            task.name: TaskRunner(self._setup(task), self._task_changed, saved.get(task.name),
                                  self._writer.durable, self._coordinator.gate(task))
            for task in tasks}
        self._coordinator.update(self.task_states())
        self.checks = CheckWatcher(self, deps.node, deps.clock.now_ns)
        self.health = HealthWatcher(self, deps.clock.now_ns, lambda: on_update(self.alloc.id))

    def _setup(self, task: Task) -> TaskSetup:
        deps = self.deps
        return TaskSetup(alloc=self.alloc, task=task, driver=deps.drivers.get(task.driver),
                         alloc_dir=self.alloc_dir,
                         state_dir=deps.executor_root / self.alloc.id / task.name,
                         node=deps.node, client=deps.client, clock=deps.clock,
                         host_env=deps.host_env, identities=deps.identities,
                         task_api=deps.task_api, template_source=deps.template_source)

    # --- running ------------------------------------------------------------

    async def run(self) -> None:
        """Run the tasks until all are dead. Cancelling it leaves them running."""
        try:
            try:
                await asyncio.to_thread(self.alloc_dir.build)
            except OSError as err:
                # Each task's own setup then fails (and is retried) on its own.
                log.error("cannot build the alloc dir of %s: %s", self.alloc.id, err)
            self._persist()
            async with asyncio.TaskGroup() as group:
                for runner in self.tasks.values():
                    group.create_task(runner.run(), name=f"task {runner.name}")
                checks = group.create_task(self.checks.run(), name="checks")
                health = group.create_task(self.health.run(), name="health")
                supervisor = group.create_task(self._supervise())
                supervisor.add_done_callback(lambda _: (checks.cancel(), health.cancel()))
        finally:
            if all(r.is_dead for r in self.tasks.values()):
                self._done.set()
            # Cancelled at agent shutdown: what was marked must still reach the disk.
            await self._writer.settle(2.0)

    async def _supervise(self) -> None:
        """Apply the group's rules to its tasks. Poststop tasks are outside them: they wait
        for the others to die (whyever they died) and are never killed by the group."""
        while not all(r.is_dead for r in self.tasks.values()):
            await self._changed.wait()
            self._changed.clear()
            live = [r for r in self._group_tasks() if not r.is_dead]
            if not live:
                continue
            if self._stop_requested:
                await self._kill(live, None)
            elif (reason := self._group_kill_reason()) is not None:
                await self._kill(live, reason)
            elif all(is_sidecar(r.setup.task) for r in live):  # every main task has died
                await self._kill(live, events.main_dead(self.deps.clock.now_ns()))

    def _group_tasks(self) -> list[TaskRunner]:
        return [r for r in self.tasks.values() if stage_of(r.setup.task) is not Stage.POSTSTOP]

    def _group_kill_reason(self) -> TaskEvent | None:
        now = self.deps.clock.now_ns()
        dead = [r for r in self._group_tasks() if r.is_dead]
        failed = next((r for r in dead if r.task_state.failed), None)
        if failed is not None:
            return events.sibling_failed(now, failed.name)
        if any(r.setup.task.leader for r in dead):
            return events.leader_dead(now)
        return None

    @staticmethod
    async def _kill(runners: list[TaskRunner], reason: TaskEvent | None) -> None:
        """Nomad's order: the leader first, then the other tasks, the sidecars last."""
        leaders = [r for r in runners if r.setup.task.leader]
        sidecars = [r for r in runners if is_sidecar(r.setup.task) and r not in leaders]
        rest = [r for r in runners if r not in leaders and r not in sidecars]
        for batch in (leaders, rest, sidecars):
            async with asyncio.TaskGroup() as group:
                for runner in batch:
                    group.create_task(runner.kill(reason))

    def _task_changed(self) -> None:
        self._coordinator.update({n: r.task_state for n, r in self.tasks.items()})
        self._persist()
        self._changed.set()
        self.health.poke()
        self._on_update(self.alloc.id)

    def _persist(self) -> None:
        if not self._destroyed:
            self._writer.mark()

    def _snapshot(self) -> bytes:
        return LocalAllocState(alloc=self.alloc, tasks={n: r.local for n, r in self.tasks.items()}
                               ).model_dump_json().encode()

    # --- requests -------------------------------------------------------------

    def update(self, alloc: Allocation) -> None:
        """A newer version of the allocation from the server; a stop kills the tasks."""
        self.alloc = alloc
        self.health.poke()
        for runner in self.tasks.values():
            runner.update(alloc)
        if alloc.desired_status in ("stop", "evict") and not self._stop_requested:
            self._stop_requested = True
            self._changed.set()
            self._on_update(alloc.id)  # its services go before its tasks are killed
        self._persist()

    async def wait_restored(self) -> int:
        """Once every task has been re-attached or found gone after an agent restart: how
        many tasks the drivers hold again."""
        await asyncio.gather(*(r.restored.wait() for r in self.tasks.values()))
        return sum(r.handle is not None for r in self.tasks.values())

    async def stop(self) -> None:
        """Kill every task and return once all are dead (needs `run()` to be running)."""
        self._stop_requested = True
        self._changed.set()
        await self._done.wait()

    async def destroy(self) -> None:
        """After `run()` has ended: forget the tasks' handles and remove every file."""
        self._destroyed = True
        await self._writer.close()
        for runner in self.tasks.values():
            await runner.destroy()
        await asyncio.to_thread(self.alloc_dir.destroy)
        await asyncio.to_thread(shutil.rmtree, self.deps.executor_root / self.alloc.id, True)
        self.deps.store.delete_alloc(self.alloc.id)

    async def signal(self, task: str, signal: str) -> None:
        """Signal one task, or every running task when `task` is empty."""
        for runner in self._targets(task):
            if task or not runner.is_dead:
                await runner.signal(signal)

    async def restart(self, task: str, reason: str) -> None:
        """Restart one task, or every running task when `task` is empty."""
        targets = [r for r in self._targets(task) if task or r.lifecycle.state == "running"]
        if not targets:
            raise TaskNotRunning()
        for runner in targets:
            await runner.restart(reason)

    async def stats(self) -> AllocResourceUsage:
        samples: dict[str, TaskResourceUsage] = {}
        for name, runner in self.tasks.items():
            handle, driver = runner.handle, runner.setup.driver
            if handle is None or driver is None or runner.is_dead:
                continue
            try:
                samples[name] = await driver.stats(handle.config.id)
            except CaravanError as err:
                log.debug("no stats for task %s: %s", name, err)
        return alloc_usage(samples, self.deps.clock.now_ns())

    def _targets(self, task: str) -> list[TaskRunner]:
        if not task:
            return list(self.tasks.values())
        runner = self.tasks.get(task)
        if runner is None:
            raise InvalidInput(f'Failed to find task "{task}"')
        return [runner]

    # --- for the checks (CheckHost) ---------------------------------------------

    def services_live(self) -> bool:
        return not self._stop_requested and not all(r.is_dead for r in self.tasks.values())

    def task_running(self, task: str) -> bool:
        runner = self.tasks.get(task)
        return runner is not None and runner.task_state.state == "running"

    def task_started_ns(self, task: str) -> int:
        if task:
            runners = [self.tasks[task]] if task in self.tasks else []
        else:
            runners = list(self.tasks.values())
        return max((parse_rfc3339_ns(r.task_state.started_at) for r in runners), default=0)

    def exec_target(self, task: str) -> tuple[Driver, str] | None:
        runner = self.tasks.get(task)
        if runner is None or runner.handle is None or runner.setup.driver is None \
                or not self.task_running(task):
            return None
        return runner.setup.driver, runner.handle.config.id

    async def restart_task(self, task: str, reason: str) -> None:
        for name in [task] if task else list(self.tasks):
            if self.task_running(name):
                await self.tasks[name].restart(reason, failure=True)

    # --- reporting ------------------------------------------------------------

    def check_results(self) -> list[CheckQueryResult]:
        return list(self.checks.results().values())

    def task_states(self) -> dict[str, TaskState]:
        return {name: r.task_state.model_copy(deep=True) for name, r in self.tasks.items()}

    def client_update(self) -> AllocClientUpdate:
        states = self.task_states()
        status, description = client_status(states) if states else \
            ("failed", "Failed to find task group in the allocation's job")
        return AllocClientUpdate(
            id=self.alloc.id, client_status=status, client_description=description,
            task_states=states, services=registrations(self.alloc, self.deps.node, states,
                                                       self._stop_requested),
            deployment_status=self._health_status())

    def _health_status(self) -> AllocDeploymentStatus | None:
        self.health.judge()
        return self.health.status

    @property
    def done(self) -> bool:
        return self._done.is_set()
