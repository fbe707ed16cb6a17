"""System and sysbatch jobs: one allocation per usable node."""

from __future__ import annotations

from typing import Any

from caravan.structs import (
    Constraint,
    Job,
    NodeCpuResources,
    NodeMemoryResources,
    NodeResources,
)

from .factories import MemoryState, alloc, failure, job, node, run, task


def system_job(**over: Any) -> Job:
    return job("agent", type="system", **over)


def test_one_allocation_per_ready_node() -> None:
    nodes = [node(i) for i in range(4)] + [node(9, status="down"),
                                           node(8, scheduling_eligibility="ineligible")]
    j = system_job()
    result = run(MemoryState(nodes, [j]), j)
    placed = result.plan.placements()
    assert sorted(a.node_id for a in placed) == sorted(n.id for n in nodes[:4])
    assert {a.name for a in placed} == {"agent.g[0]"}
    assert all(a.metrics is not None and a.metrics.nodes_evaluated == 1 for a in placed)
    assert result.eval_update.status == "complete" and result.blocked_eval is None


def test_nodes_added_later_get_one_on_the_next_eval() -> None:
    first = [node(1), node(2)]
    j = system_job()
    state = MemoryState(first, [j])
    state.apply(run(state, j))
    assert run(state, j, id="e2").plan.is_noop()
    grown = MemoryState(first + [node(3)], [j], state.allocs_by_job("default", "agent"))
    result = run(grown, j, id="e3")
    assert [a.node_id for a in result.plan.placements()] == [node(3).id]


def test_infeasible_nodes_are_skipped_without_a_failure() -> None:
    nodes = [node(1), node(2, attributes={"kernel.name": "windows"}), node(3, drivers={})]
    j = system_job(constraints=[Constraint(l_target="${attr.kernel.name}", r_target="linux")])
    result = run(MemoryState(nodes, [j]), j)
    assert [a.node_id for a in result.plan.placements()] == [nodes[0].id]
    assert result.eval_update.failed_tg_allocs is None and result.blocked_eval is None
    assert result.eval_update.queued_allocations == {"g": 0}


def test_a_full_node_is_a_placement_failure() -> None:
    tiny = NodeResources(cpu=NodeCpuResources(cpu_shares=50),
                         memory=NodeMemoryResources(memory_mb=8192))
    nodes = [node(1), node(2, node_resources=tiny), node(3, node_resources=tiny)]
    j = system_job()
    result = run(MemoryState(nodes, [j]), j)
    assert len(result.plan.placements()) == 1
    metric = failure(result)
    assert metric.dimension_exhausted == {"cpu": 1} and metric.coalesced_failures == 1
    assert result.eval_update.queued_allocations == {"g": 2}
    assert result.blocked_eval is not None


def test_allocations_on_down_nodes_are_lost_and_not_moved() -> None:
    up, down = node(1), node(2, status="down")
    j = system_job()
    existing = [alloc(j, up, 0), alloc(j, down, 0, id="on-down")]
    result = run(MemoryState([up, down], [j], existing), j)
    (lost,) = result.plan.stops()
    assert lost.id == "on-down" and lost.client_status == "lost"
    assert result.plan.placements() == []


def test_update_and_stop() -> None:
    n = node(1)
    v0 = system_job()
    v1 = v0.model_copy(update={"version": 1, "task_groups": [
        v0.task_groups[0].model_copy(update={"tasks": [task(memory=512)]})]})
    old = alloc(v0, n, 0)
    result = run(MemoryState([n], [v1], [old]), v1)
    (stopped,) = result.plan.stops()
    (new,) = result.plan.placements()
    assert stopped.desired_description == "alloc is being updated due to job update"
    assert new.previous_allocation == old.id and stopped.next_allocation == new.id

    stopped_job = v1.model_copy(update={"stop": True})
    result = run(MemoryState([n], [stopped_job], [old]), stopped_job)
    assert [a.desired_description for a in result.plan.stops()] == [
        "alloc not needed due to job update"]


def test_allocations_on_nodes_no_longer_targeted_are_stopped() -> None:
    n1, n2 = node(1, datacenter="dc1"), node(2, datacenter="dc2")
    j = system_job(datacenters=["dc1"])
    existing = [alloc(j, n1, 0), alloc(j, n2, 0, id="elsewhere")]
    result = run(MemoryState([n1, n2], [j], existing), j)
    assert [a.id for a in result.plan.stops()] == ["elsewhere"]


def test_failed_system_allocation_is_placed_again_but_sysbatch_is_not() -> None:
    n = node(1)
    j = system_job()
    dead = alloc(j, n, 0, client_status="failed")
    (again,) = run(MemoryState([n], [j], [dead]), j).plan.placements()
    assert again.previous_allocation == dead.id

    sb = job("sweep", type="sysbatch")
    done = alloc(sb, n, 0, client_status="complete")
    assert run(MemoryState([n], [sb], [done]), sb).plan.is_noop()
    newer = sb.model_copy(update={"version": 1})
    (rerun,) = run(MemoryState([n], [newer], [done]), newer).plan.placements()
    assert rerun.previous_allocation == done.id


def test_sysbatch_places_one_per_node() -> None:
    nodes = [node(i) for i in range(3)]
    sb = job("sweep", type="sysbatch")
    assert len(run(MemoryState(nodes, [sb]), sb).plan.placements()) == 3
