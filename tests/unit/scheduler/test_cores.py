"""Whole-core reservations (`resources { cores = N }`): exclusive core IDs per node."""

from __future__ import annotations

from typing import Any

from caravan.structs import (
    AllocatedCpu,
    AllocatedResources,
    AllocatedTaskResources,
    Allocation,
    Node,
    NodeCpuResources,
    NodeMemoryResources,
    NodeResources,
    Resources,
    Task,
)

from .factories import MemoryState, alloc, failure, job, node, run, task


def cored_node(i: int = 0, *, cores: int = 4, mhz: int = 1000,
               reservable: list[int] | None = None, **over: Any) -> Node:
    cpu = NodeCpuResources(cpu_shares=cores * mhz, total_cpu_cores=cores,
                           reservable_cpu_cores=reservable)
    return node(i, node_resources=NodeResources(
        cpu=cpu, memory=NodeMemoryResources(memory_mb=65536)), **over)


def cores_task(name: str = "web", cores: int = 1, memory: int = 256) -> Task:
    return Task(name=name, driver="raw_exec", config={"command": "/bin/sleep"},
                resources=Resources(cores=cores, memory_mb=memory))


def holding(j: Any, n: Node, index: int, cores: list[int], **over: Any) -> Allocation:
    """An existing allocation of `j` on `n` holding `cores` for its task "web"."""
    resources = AllocatedResources(tasks={"web": AllocatedTaskResources(
        cpu=AllocatedCpu(cpu_shares=len(cores) * 1000, reserved_cores=cores))})
    return alloc(j, n, index, allocated_resources=resources, **over)


def reserved(a: Allocation) -> dict[str, list[int] | None]:
    return {name: t.cpu.reserved_cores for name, t in a.allocated_resources.tasks.items()}


def all_cores(allocs: list[Allocation]) -> list[int]:
    return [c for a in allocs for ids in reserved(a).values() for c in ids or []]


def test_reservation_takes_the_lowest_free_ids_and_derives_cpu_shares() -> None:
    n = cored_node(cores=8, mhz=2500, reservable=[7, 2, 3, 5])
    other = job("other", tasks=[cores_task()])
    j = job(tasks=[cores_task(cores=2)])
    state = MemoryState([n], [j, other], [holding(other, n, 0, [2])])
    placed = run(state, j).plan.placements()
    assert len(placed) == 1
    web = placed[0].allocated_resources.tasks["web"]
    assert web.cpu.reserved_cores == [3, 5]          # 2 is held, 0/1 are not reservable
    assert web.cpu.cpu_shares == 2 * 2500            # cores x (total compute / cores)
    assert web.memory.memory_mb == 256


def test_node_without_a_reservable_list_offers_all_its_cores() -> None:
    n = cored_node(cores=3)
    j = job(tasks=[cores_task(cores=3)])
    placed = run(MemoryState([n], [j]), j).plan.placements()
    assert reserved(placed[0]) == {"web": [0, 1, 2]}


def test_tasks_and_allocations_never_share_a_core() -> None:
    n = cored_node(cores=8)
    j = job(count=2, tasks=[cores_task("a", 1), cores_task("b", 2)])
    first = run(MemoryState([n], [j]), j)
    placed = first.plan.placements()
    assert len(placed) == 2 and first.eval_update.failed_tg_allocs is None
    assert sorted(all_cores(placed)) == [0, 1, 2, 3, 4, 5]
    # a later evaluation of another job sees the cores the first one holds
    other = job("other", tasks=[cores_task(cores=2)])
    state = MemoryState([n], [j, other], placed)
    later = run(state, other).plan.placements()
    assert reserved(later[0]) == {"web": [6, 7]}


def test_too_few_free_cores_exhausts_dimension_cores() -> None:
    n = cored_node(cores=2)
    j = job(count=3, tasks=[cores_task(cores=1)])
    result = run(MemoryState([n], [j]), j)
    assert sorted(all_cores(result.plan.placements())) == [0, 1]
    metric = failure(result)
    assert metric.dimension_exhausted == {"cores": 1}
    assert metric.nodes_exhausted == 1 and metric.nodes_evaluated == 1
    assert result.eval_update.queued_allocations == {"g": 1}
    assert result.blocked_eval is not None


def test_node_reporting_no_cores_is_exhausted_on_cores() -> None:
    j = job(tasks=[cores_task(cores=1)])
    result = run(MemoryState([node(1)], [j]), j)   # total_cpu_cores 0
    assert not result.plan.placements()
    assert failure(result).dimension_exhausted == {"cores": 1}


def test_terminal_allocations_free_their_cores() -> None:
    n = cored_node(cores=2)
    other = job("other", tasks=[cores_task(cores=2)])
    done = holding(other, n, 0, [0, 1], client_status="complete")
    stopped = holding(other, n, 1, [0, 1], desired_status="stop", client_status="complete")
    j = job(tasks=[cores_task(cores=2)])
    placed = run(MemoryState([n], [j, other], [done, stopped]), j).plan.placements()
    assert reserved(placed[0]) == {"web": [0, 1]}


def test_live_allocation_keeps_its_cores() -> None:
    n = cored_node(cores=2)
    other = job("other", tasks=[cores_task(cores=2)])
    j = job(tasks=[cores_task(cores=1)])
    result = run(MemoryState([n], [j, other], [holding(other, n, 0, [0, 1])]), j)
    assert not result.plan.placements()
    assert failure(result).dimension_exhausted == {"cores": 1}


def test_replacement_gets_the_cores_its_stopped_predecessor_frees() -> None:
    n = cored_node(cores=2)
    old = job(tasks=[cores_task(cores=2)])
    new = job(tasks=[cores_task(cores=2, memory=512)]).model_copy(
        update={"version": 1, "job_modify_index": 15})
    result = run(MemoryState([n], [new], [holding(old, n, 0, [0, 1])]), new)
    assert [a.desired_status for a in result.plan.stops()] == ["stop"]
    placed = result.plan.placements()
    assert len(placed) == 1 and reserved(placed[0]) == {"web": [0, 1]}


def test_mixed_cpu_and_cores_tasks_on_one_node() -> None:
    n = cored_node(cores=4, mhz=1000)
    j = job(tasks=[task("app", cpu=500), cores_task("pinned", 2)])
    placed = run(MemoryState([n], [j]), j).plan.placements()
    tasks = placed[0].allocated_resources.tasks
    assert (tasks["app"].cpu.cpu_shares, tasks["app"].cpu.reserved_cores) == (500, None)
    assert (tasks["pinned"].cpu.cpu_shares, tasks["pinned"].cpu.reserved_cores) == (2000, [0, 1])
    assert placed[0].allocated_resources.totals()[0] == 2500


def test_whole_cores_count_against_cpu_for_bin_packing() -> None:
    n = cored_node(cores=2, mhz=1000)
    busy = job("busy", tasks=[task(cpu=1500)])
    j = job(tasks=[cores_task(cores=1)])
    result = run(MemoryState([n], [j, busy], [alloc(busy, n)]), j)
    assert not result.plan.placements()             # a core is free, 1000 MHz are not
    assert failure(result).dimension_exhausted == {"cpu": 1}


def test_cpu_tasks_fill_around_reserved_cores() -> None:
    n = cored_node(cores=2, mhz=1000)
    j = job(count=2, tasks=[cores_task(cores=1)])
    other = job("other", count=2, tasks=[task(cpu=600)])
    state = MemoryState([n], [j, other])
    first = run(state, j)
    state.apply(first)
    second = run(state, other)
    assert len(second.plan.placements()) == 0       # both cores' MHz already reserved
    assert failure(second).dimension_exhausted == {"cpu": 1}


def test_system_job_reserves_cores_on_every_node() -> None:
    nodes = [cored_node(0, cores=2), cored_node(1, cores=4, reservable=[2, 3])]
    other = job("other", tasks=[cores_task()])
    j = job(type="system", tasks=[cores_task(cores=1)])
    state = MemoryState(nodes, [j, other], [holding(other, nodes[1], 0, [2])])
    placed = {a.node_id: reserved(a) for a in run(state, j).plan.placements()}
    assert placed == {nodes[0].id: {"web": [0]}, nodes[1].id: {"web": [3]}}
