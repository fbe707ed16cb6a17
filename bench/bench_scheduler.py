"""Scheduler throughput: one service job of count 10,000 onto 5,000 and 500 nodes.

Run: `python bench/bench_scheduler.py`. Prints placements per second for `schedule()`
next to two baselines measured in the same run over the same nodes, in plain Python
with no feasibility checks and no allocation objects:

* naive first-fit: take the first node with room. The floor for "walk nodes and
  count resources" in this interpreter.
* naive best-fit: score every node for every placement (what the scheduler avoids by
  stopping after two candidates); timed on a sample of placements.

Also prints that every allocation was placed and no node is over capacity, and the
time to re-evaluate the job once its 10,000 allocations exist (nothing to do).
Never asserts, never fails: figures are for reading.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from caravan.clock import SystemClock  # noqa: E402
from caravan.server.scheduler import schedule  # noqa: E402
from caravan.structs.operator import SchedulerConfiguration  # noqa: E402
from metric import emit  # noqa: E402
from caravan.structs import (  # noqa: E402
    Allocation,
    Deployment,
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
    canonicalize,
)

COUNT = 10_000
CPU, MEMORY = 100, 64
BEST_FIT_SAMPLE = 200


class MemoryState:
    """A plain-dict SchedulerState, indexed by job and node (the tests' simpler one
    filters every allocation on each call, which would be what this bench measures).
    tests/unit/bench/test_bench_state.py schedules through it, so it keeps up with
    the protocol."""

    def __init__(self, nodes: list[Node], jobs: list[Job]):
        self.index = 1
        self._nodes = {n.id: n for n in nodes}
        self._jobs = {(j.namespace, j.id): j for j in jobs}
        self._by_job: dict[tuple[str, str], list[Allocation]] = {}
        self._by_node: dict[str, list[Allocation]] = {}

    def add(self, allocs: list[Allocation]) -> None:
        for alloc in allocs:
            self._by_job.setdefault((alloc.namespace, alloc.job_id), []).append(alloc)
            self._by_node.setdefault(alloc.node_id, []).append(alloc)

    def nodes(self) -> Iterable[Node]:
        return self._nodes.values()

    def node(self, node_id: str) -> Node | None:
        return self._nodes.get(node_id)

    def job(self, namespace: str, job_id: str) -> Job | None:
        return self._jobs.get((namespace, job_id))

    def allocs_by_job(self, namespace: str, job_id: str) -> list[Allocation]:
        return list(self._by_job.get((namespace, job_id), []))

    def allocs_by_node(self, node_id: str) -> list[Allocation]:
        return list(self._by_node.get(node_id, []))

    def latest_deployment(self, namespace: str, job_id: str) -> Deployment | None:
        return None  # the bench's job has no update block: no deployment

    def scheduler_config(self) -> SchedulerConfiguration:
        return SchedulerConfiguration()  # Nomad's defaults


def make_nodes(n: int) -> list[Node]:
    variants = [("linux", "amd64", "5.10"), ("linux", "amd64", "6.1"), ("linux", "arm64", "6.1")]
    nodes = []
    for i in range(n):
        kernel, arch, version = variants[i % len(variants)]
        nodes.append(Node(
            id=f"{i:08x}-0000-0000-0000-000000000000", name=f"node-{i}",
            datacenter=f"dc{i % 2 + 1}", status="ready",
            attributes={"kernel.name": kernel, "cpu.arch": arch, "kernel.version": version,
                        "unique.hostname": f"node-{i}"},
            drivers={"raw_exec": DriverInfo(detected=True, healthy=True)},
            node_resources=NodeResources(cpu=NodeCpuResources(cpu_shares=8000),
                                         memory=NodeMemoryResources(memory_mb=16384))))
    return nodes


def make_job() -> Job:
    task = Task(name="web", driver="raw_exec", config={"command": "/bin/true"},
                resources=Resources(cpu=CPU, memory_mb=MEMORY))
    return canonicalize(Job(id="bench", task_groups=[TaskGroup(name="g", count=COUNT,
                                                               tasks=[task])]))


def naive_first_fit(nodes: list[Node]) -> tuple[int, float]:
    free = [[n.node_resources.cpu.cpu_shares, n.node_resources.memory.memory_mb] for n in nodes]
    started = time.perf_counter()
    placed = 0
    for _ in range(COUNT):
        for room in free:
            if room[0] >= CPU and room[1] >= MEMORY:
                room[0] -= CPU
                room[1] -= MEMORY
                placed += 1
                break
    return placed, time.perf_counter() - started


def naive_best_fit(nodes: list[Node]) -> float:
    """Placements per second when every node is scored for every placement."""
    total = [(n.node_resources.cpu.cpu_shares, n.node_resources.memory.memory_mb) for n in nodes]
    used = [[0, 0] for _ in nodes]
    started = time.perf_counter()
    for _ in range(BEST_FIT_SAMPLE):
        best, best_score = -1, -1.0
        for i, (cpu, mem) in enumerate(total):
            c, m = used[i][0] + CPU, used[i][1] + MEMORY
            if c <= cpu and m <= mem:
                score = 20 - (10 ** (1 - c / cpu) + 10 ** (1 - m / mem))
                if score > best_score:
                    best, best_score = i, score
        used[best][0] += CPU
        used[best][1] += MEMORY
    return BEST_FIT_SAMPLE / (time.perf_counter() - started)


def check(nodes: list[Node], placed: list[Allocation]) -> tuple[bool, int]:
    used: dict[str, list[int]] = {}
    for alloc in placed:
        cpu, mem = alloc.allocated_resources.totals()
        entry = used.setdefault(alloc.node_id, [0, 0])
        entry[0] += cpu
        entry[1] += mem
    by_id = {n.id: n for n in nodes}
    ok = all(c <= by_id[i].node_resources.cpu.cpu_shares
             and m <= by_id[i].node_resources.memory.memory_mb for i, (c, m) in used.items())
    return ok, len(used)


def run(node_count: int) -> None:
    nodes = make_nodes(node_count)
    job = make_job()
    state = MemoryState(nodes, [job])
    ids = (f"{i:08x}-1111-2222-3333-444444444444" for i in itertools.count())
    evaluation = Evaluation(id="5eed0000-0000-0000-0000-000000000000", job_id=job.id,
                            triggered_by="job-register", status="pending")
    started = time.perf_counter()
    result = schedule(evaluation, state, new_id=lambda: next(ids), clock=SystemClock())
    elapsed = time.perf_counter() - started
    placed = result.plan.placements()
    ok, used_nodes = check(nodes, placed)
    base_placed, base_elapsed = naive_first_fit(nodes)
    best_fit_rate = naive_best_fit(nodes)
    state.add(placed)
    again = evaluation.model_copy(update={"id": "5eed1111-0000-0000-0000-000000000000"})
    started = time.perf_counter()
    noop = schedule(again, state, new_id=lambda: next(ids), clock=SystemClock())
    noop_elapsed = time.perf_counter() - started
    print(f"{node_count:>6} nodes, count {COUNT}:")
    print(f"    schedule():                 {len(placed):>6} placed in {elapsed:6.3f}s "
          f"= {len(placed) / elapsed:>9,.0f} placements/s on {used_nodes} nodes")
    print(f"    baseline: naive first-fit:  {base_placed:>6} placed in {base_elapsed:6.3f}s "
          f"= {base_placed / base_elapsed:>9,.0f} placements/s")
    print(f"    baseline: naive best-fit (scores every node): "
          f"{best_fit_rate:>9,.0f} placements/s ({BEST_FIT_SAMPLE} sampled)")
    print(f"    all {COUNT} placed: {len(placed) == COUNT}; capacities respected: {ok}; "
          f"failed groups: {sorted(result.eval_update.failed_tg_allocs or {})}")
    print(f"    re-evaluating with {len(placed)} allocations in place: {noop_elapsed:.3f}s, "
          f"plan is a no-op: {noop.plan.is_noop()}")
    emit(f"pure schedule(), count {COUNT} on {node_count} nodes", len(placed) / elapsed,
         base_placed / base_elapsed, "placements/s", ">=20000" if node_count == 5000 else "",
         all_placed=len(placed) == COUNT and ok)


def main() -> None:
    for node_count in (5000, 500):
        run(node_count)


if __name__ == "__main__":
    main()
