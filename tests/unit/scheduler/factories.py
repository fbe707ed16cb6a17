"""Small valid nodes, jobs and allocations, and an in-memory SchedulerState."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from caravan.structs.operator import SchedulerConfiguration
from caravan.clock import Clock
from caravan.server.scheduler import SchedulerResult, schedule
from caravan.structs import (
    AllocatedCpu,
    AllocatedMemory,
    AllocatedResources,
    AllocatedSharedResources,
    AllocatedTaskResources,
    Allocation,
    AllocMetric,
    Constraint,
    DriverInfo,
    Evaluation,
    Job,
    Node,
    NodeCpuResources,
    NodeMemoryResources,
    NodeResources,
    Resources,
    Task,
    TaskGroup,
    UpdateStrategy,
    canonicalize,
)

NOW = 1_700_000_000 * 1_000_000_000
SECOND = 1_000_000_000


class FixedClock:
    def __init__(self, now: int = NOW):
        self.now = now

    def now_ns(self) -> int:
        return self.now


class Ids:
    def __init__(self, prefix: str = "a"):
        self._counter = itertools.count()
        self._prefix = prefix

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter):07d}-0000-0000-0000-000000000000"


class MemoryState:
    def __init__(self, nodes: Iterable[Node] = (), jobs: Iterable[Job] = (),
                 allocs: Iterable[Allocation] = (), index: int = 10):
        self.index = index
        self._nodes = {n.id: n for n in nodes}
        self._jobs = {(j.namespace, j.id): j for j in jobs}
        self._allocs = {a.id: a for a in allocs}
        self.deployments = {}
        self.config = SchedulerConfiguration()

    def nodes(self) -> Iterable[Node]:
        return list(self._nodes.values())

    def node(self, node_id: str) -> Node | None:
        return self._nodes.get(node_id)

    def job(self, namespace: str, job_id: str) -> Job | None:
        return self._jobs.get((namespace, job_id))

    def allocs_by_job(self, namespace: str, job_id: str) -> list[Allocation]:
        return [a for a in self._allocs.values() if (a.namespace, a.job_id) == (namespace, job_id)]

    def allocs_by_node(self, node_id: str) -> list[Allocation]:
        return [a for a in self._allocs.values() if a.node_id == node_id]

    def latest_deployment(self, namespace: str, job_id: str):
        return self.deployments.get((namespace, job_id))

    def scheduler_config(self) -> SchedulerConfiguration:
        return self.config

    def apply(self, result: SchedulerResult) -> None:
        """What plan_apply would do, minus its checks: good enough to chain evals."""
        for alloc in result.plan.stops() + result.plan.placements():
            self._allocs[alloc.id] = alloc
        for d in [result.plan.deployment, *result.plan.deployment_updates]:
            if d is not None:
                self.deployments[(d.namespace, d.job_id)] = d


def node(i: int = 0, **over: Any) -> Node:
    fields: dict[str, Any] = dict(
        id=f"node{i:04d}-0000-0000-0000-000000000000", name=f"node-{i}", datacenter="dc1",
        status="ready",
        attributes={"kernel.name": "linux", "cpu.arch": "amd64", "unique.hostname": f"h{i}"},
        drivers={"raw_exec": DriverInfo(detected=True, healthy=True)},
        node_resources=NodeResources(cpu=NodeCpuResources(cpu_shares=4000),
                                     memory=NodeMemoryResources(memory_mb=8192)),
    )
    fields.update(over)
    return Node(**fields)


def task(name: str = "web", *, cpu: int = 100, memory: int = 256, driver: str = "raw_exec",
         **over: Any) -> Task:
    return Task(name=name, driver=driver, config={"command": "/bin/sleep", "args": ["60"]},
                resources=Resources(cpu=cpu, memory_mb=memory), **over)


def job(job_id: str = "web", *, count: int = 1, type: str = "service",
        tasks: list[Task] | None = None, constraints: list[Constraint] | None = None,
        group: dict[str, Any] | None = None, **over: Any) -> Job:
    # No rolling update unless a test asks for one: these tests are about what changes.
    group = {"update": UpdateStrategy(max_parallel=0), **(group or {})}
    tg = TaskGroup(name="g", count=count, tasks=tasks or [task()], **group)
    return canonicalize(Job(id=job_id, type=type, task_groups=[tg], constraints=constraints,
                            create_index=5, job_modify_index=5, **over))


def evaluation(j: Job, **over: Any) -> Evaluation:
    fields: dict[str, Any] = dict(id="e0000000-0000-0000-0000-000000000000", job_id=j.id,
                                  namespace=j.namespace, type=j.type, priority=j.priority,
                                  triggered_by="job-register", status="pending")
    fields.update(over)
    return Evaluation(**fields)


def alloc(j: Job, n: Node, index: int = 0, *, group: str = "g", **over: Any) -> Allocation:
    tg = j.group(group)
    assert tg is not None
    resources = AllocatedResources(
        tasks={t.name: AllocatedTaskResources(
            cpu=AllocatedCpu(cpu_shares=t.resources.cpu or 0),
            memory=AllocatedMemory(memory_mb=t.resources.memory_mb or 0)) for t in tg.tasks},
        shared=AllocatedSharedResources(disk_mb=300))
    fields: dict[str, Any] = dict(
        id=f"old{index:05d}-{n.id[4:8]}-0000-0000-000000000000", namespace=j.namespace,
        name=f"{j.id}.{group}[{index}]", node_id=n.id, node_name=n.name, job_id=j.id, job=j,
        task_group=group, allocated_resources=resources, desired_status="run",
        client_status="running", create_index=7, create_time=NOW - 3600 * SECOND,
        modify_time=NOW - 3600 * SECOND)
    fields.update(over)
    return Allocation(**fields)


def failure(result: SchedulerResult, group: str = "g") -> AllocMetric:
    """The coalesced placement failure of `group`."""
    failed = result.eval_update.failed_tg_allocs
    assert failed is not None and group in failed
    return failed[group]


def run(state: MemoryState, j: Job, *, clock: Clock | None = None,
        ids: Ids | None = None, **eval_over: Any) -> SchedulerResult:
    return schedule(evaluation(j, **eval_over), state, new_id=ids or Ids(),
                    clock=clock or FixedClock())
