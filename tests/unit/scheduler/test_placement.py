"""Service placement: spreading count N, bin-packing, metrics, failures and blocked evals."""

from __future__ import annotations

from collections import Counter

from caravan.structs import (
    AllocatedCpu,
    AllocatedResources,
    AllocatedTaskResources,
    Allocation,
    NodeCpuResources,
    NodeMemoryResources,
    NodeResources,
)

from .factories import NOW, FixedClock, Ids, MemoryState, alloc, failure, job, node, run, task


def test_places_count_allocations_with_nomad_fields() -> None:
    nodes = [node(i) for i in range(3)]
    j = job(count=5)
    result = run(MemoryState(nodes, [j]), j)
    placed = result.plan.placements()
    assert sorted(a.name for a in placed) == [f"web.g[{i}]" for i in range(5)]
    a = placed[0]
    assert (a.job_id, a.job, a.task_group, a.namespace) == ("web", j, "g", "default")
    assert (a.desired_status, a.client_status) == ("run", "pending")
    assert a.eval_id == "e0000000-0000-0000-0000-000000000000"
    assert a.create_time == a.modify_time == NOW
    assert a.node_name == next(n.name for n in nodes if n.id == a.node_id)
    web = a.allocated_resources.tasks["web"]
    assert (web.cpu.cpu_shares, web.memory.memory_mb) == (100, 256)
    assert a.allocated_resources.shared.disk_mb == 300
    assert len({x.id for x in placed}) == 5
    assert all(x.node_id in result.plan.node_allocation for x in placed)
    assert result.eval_update.status == "complete"
    assert result.eval_update.queued_allocations == {"g": 0}
    assert result.eval_update.snapshot_index == 10
    assert result.blocked_eval is None and result.eval_update.failed_tg_allocs is None


def test_placement_metrics_are_recorded_on_each_alloc() -> None:
    nodes = [node(i, datacenter="dc1" if i < 2 else "dc2") for i in range(3)]
    j = job(count=2)
    result = run(MemoryState(nodes, [j]), j)
    evaluated = []
    for a in sorted(result.plan.placements(), key=lambda a: a.name):
        m = a.metrics
        assert m is not None
        assert m.nodes_in_pool == 3 and m.nodes_available == {"dc1": 2, "dc2": 1}
        assert m.nodes_filtered == 0
        evaluated.append(m.nodes_evaluated)
        assert m.score_meta_data and {"binpack", "job-anti-affinity"} <= set(
            m.score_meta_data[0]["Scores"])
    # the first placement stops after `limit` (2) candidates; the second passes over
    # the node it already used (score below zero) and looks at one more
    assert evaluated == [2, 3]


def test_same_eval_places_the_same_way_and_different_evals_spread() -> None:
    nodes = [node(i) for i in range(20)]
    j = job(count=4)
    first = run(MemoryState(nodes, [j]), j)
    again = run(MemoryState(nodes, [j]), j)
    assert [a.node_id for a in first.plan.placements()] == \
        [a.node_id for a in again.plan.placements()]
    other = run(MemoryState(nodes, [j]), j, id="e1111111-0000-0000-0000-000000000000")
    assert sorted(first.plan.node_allocation) != sorted(other.plan.node_allocation)


def test_bin_packing_prefers_the_fuller_node() -> None:
    busy, idle = node(1), node(2)
    other = job("other", tasks=[task(cpu=2000, memory=4096)])
    j = job(count=1)
    state = MemoryState([busy, idle], [j, other], [alloc(other, busy)])
    for eval_id in ("e1", "e2", "e3", "e4"):
        result = run(state, j, id=eval_id)
        assert list(result.plan.node_allocation) == [busy.id]


def test_job_anti_affinity_spreads_a_group_over_equal_nodes() -> None:
    nodes = [node(i) for i in range(4)]
    j = job(count=4)
    result = run(MemoryState(nodes, [j]), j)
    assert sorted(Counter(a.node_id for a in result.plan.placements()).values()) == [1, 1, 1, 1]


def test_resources_are_not_overcommitted_and_exhaustion_is_reported() -> None:
    small = NodeResources(cpu=NodeCpuResources(cpu_shares=1000),
                          memory=NodeMemoryResources(memory_mb=1000))
    nodes = [node(i, node_resources=small, node_class="small") for i in range(2)]
    j = job(count=7, tasks=[task(cpu=300, memory=200)])
    result = run(MemoryState(nodes, [j]), j)
    per_node = Counter(a.node_id for a in result.plan.placements())
    assert sorted(per_node.values()) == [3, 3]
    metric = failure(result)
    assert metric.nodes_exhausted == 2 and metric.dimension_exhausted == {"cpu": 2}
    assert metric.class_exhausted == {"small": 2}
    assert metric.coalesced_failures == 0
    assert metric.resources_exhausted == {"web": {"CPU": 300, "MemoryMB": 0}}
    assert result.eval_update.queued_allocations == {"g": 1}


def test_memory_dimension_and_existing_usage_count() -> None:
    n = node(1)
    hog = job("hog", tasks=[task(cpu=100, memory=8000)])
    j = job(count=1, tasks=[task(cpu=100, memory=300)])
    result = run(MemoryState([n], [j, hog], [alloc(hog, n)]), j)
    metric = failure(result)
    assert metric.dimension_exhausted == {"memory": 1}


def test_terminal_allocs_and_reserved_resources_count_as_documented() -> None:
    reserved = NodeResources(cpu=NodeCpuResources(cpu_shares=3800))
    n = node(1, reserved_resources=reserved)          # 200 MHz left
    hog = job("hog", tasks=[task(cpu=3000)])
    done = alloc(hog, n, client_status="complete")    # terminal: uses nothing
    j = job(count=3, tasks=[task(cpu=100)])
    result = run(MemoryState([n], [j, hog], [done]), j)
    assert len(result.plan.placements()) == 2
    assert failure(result).dimension_exhausted == {"cpu": 1}


def test_failures_are_coalesced_and_a_blocked_eval_is_created() -> None:
    n = node(1, node_resources=NodeResources(cpu=NodeCpuResources(cpu_shares=250),
                                            memory=NodeMemoryResources(memory_mb=8192)))
    j = job(count=5)
    result = run(MemoryState([n], [j]), j)
    assert len(result.plan.placements()) == 2
    metric = failure(result)
    assert metric.coalesced_failures == 2
    assert metric.resources_exhausted == {"web": {"CPU": 300, "MemoryMB": 0}}
    assert result.eval_update.status == "complete"
    assert result.eval_update.queued_allocations == {"g": 3}
    blocked = result.blocked_eval
    assert blocked is not None
    assert (blocked.status, blocked.triggered_by) == ("blocked", "queued-allocs")
    assert blocked.previous_eval == result.eval_update.id
    assert blocked.status_description == "created to place remaining allocations"
    assert result.eval_update.blocked_eval == blocked.id
    assert blocked.failed_tg_allocs is not None and "g" in blocked.failed_tg_allocs


def test_an_unblocked_eval_that_still_fails_hands_over_to_a_new_blocked_eval() -> None:
    j = job(count=1)
    result = run(MemoryState([], [j]), j, triggered_by="queued-allocs",
                 previous_eval="older")
    assert result.eval_update.status == "complete"
    assert result.blocked_eval is not None
    assert result.blocked_eval.previous_eval == result.eval_update.id


def test_no_nodes_at_all() -> None:
    j = job(count=2)
    result = run(MemoryState([], [j]), j)
    metric = failure(result)
    assert metric.nodes_evaluated == 0 and metric.nodes_in_pool == 0
    assert metric.coalesced_failures == 1
    assert result.blocked_eval is not None


def test_nodes_not_ready_are_not_candidates_nor_filtered() -> None:
    nodes = [node(1, status="down"), node(2, scheduling_eligibility="ineligible"),
             node(3, drain=True), node(4, status="initializing"), node(5, node_pool="other")]
    j = job(count=1, datacenters=["dc1"])
    metric = failure(run(MemoryState(nodes, [j]), j))
    assert (metric.nodes_evaluated, metric.nodes_filtered, metric.nodes_in_pool) == (0, 0, 0)
    assert metric.nodes_available == {"dc1": 0}


def test_node_pool_all_uses_every_pool() -> None:
    j = job(count=1, node_pool="all")
    result = run(MemoryState([node(1, node_pool="other")], [j]), j)
    assert len(result.plan.placements()) == 1


def test_new_allocs_never_reuse_ids() -> None:
    nodes = [node(i) for i in range(2)]
    j = job(count=3)
    ids = Ids("z")
    result = run(MemoryState(nodes, [j]), j, ids=ids, clock=FixedClock())
    assert all(a.id.startswith("z") for a in result.plan.placements())


def test_alloc_resources_totals_match_group() -> None:
    j = job(count=1, tasks=[task("a", cpu=100, memory=100), task("b", cpu=50, memory=20)])
    placed = run(MemoryState([node(1)], [j]), j).plan.placements()[0]
    assert placed.allocated_resources.totals() == (150, 120)
    assert isinstance(placed.allocated_resources, AllocatedResources)
    assert isinstance(placed.allocated_resources.tasks["a"], AllocatedTaskResources)
    assert isinstance(placed.allocated_resources.tasks["a"].cpu, AllocatedCpu)
    assert isinstance(placed, Allocation)


class TickingClock:
    """Advances 1µs on every read."""

    def __init__(self) -> None:
        self.now = NOW

    def now_ns(self) -> int:
        self.now += 1000
        return self.now


def test_allocation_time_comes_from_the_clock() -> None:
    j = job(count=1)
    result = run(MemoryState([node(1)], [j]), j, clock=TickingClock())
    (placed,) = result.plan.placements()
    assert placed.metrics is not None and placed.metrics.allocation_time == 1000


def test_unknown_job_type_fails_the_eval() -> None:
    j = job(count=1).model_copy(update={"type": "quantum"})
    result = run(MemoryState([node(1)], [j]), j)
    assert result.eval_update.status == "failed"
    assert result.eval_update.status_description == 'unknown job type "quantum"'
    assert result.plan.is_noop()
