"""Filtering: datacenters, drivers, constraints, distinct_hosts, host volumes, and the
reasons and counts reported in ConstraintFiltered."""

from __future__ import annotations

from caravan.structs import (
    AllocMetric,
    ClientHostVolume,
    Constraint,
    DriverInfo,
    VolumeRequest,
)

from caravan.server.scheduler import SchedulerResult

from .factories import MemoryState, alloc, job, node, run, task

LINUX = Constraint(l_target="${attr.kernel.name}", operand="=", r_target="linux")


def failure(result_metric: dict[str, AllocMetric] | None) -> AllocMetric:
    assert result_metric is not None
    return result_metric["g"]


def placed_metric(result: SchedulerResult) -> AllocMetric:
    """The metric of the one placement the test expects."""
    (placed,) = result.plan.placements()
    assert placed.metrics is not None
    return placed.metrics


def test_datacenter_globs_choose_the_candidate_set() -> None:
    nodes = [node(1, datacenter="us-east-1"), node(2, datacenter="us-west-1"),
             node(3, datacenter="eu-west-1")]
    j = job(count=2, datacenters=["us-*"])
    result = run(MemoryState(nodes, [j]), j)
    assert set(result.plan.node_allocation) == {nodes[0].id, nodes[1].id}
    for placed in result.plan.placements():
        metric = placed.metrics
        assert metric is not None
        assert metric.nodes_available == {"us-east-1": 1, "us-west-1": 1}
        assert metric.nodes_in_pool == 2 and metric.nodes_filtered == 0


def test_star_matches_every_datacenter_and_literals_match_exactly() -> None:
    nodes = [node(1, datacenter="a"), node(2, datacenter="b"), node(3, datacenter="ab")]
    everywhere = job("everywhere", count=3, datacenters=["*"])
    assert len(run(MemoryState(nodes, [everywhere]), everywhere).plan.placements()) == 3
    exact = job("exact", count=1, datacenters=["a", "zz"])
    result = run(MemoryState(nodes, [exact]), exact)
    assert list(result.plan.node_allocation) == [nodes[0].id]
    assert placed_metric(result).nodes_available == {"a": 1, "zz": 0}


def test_missing_drivers_are_filtered_with_nomads_reason() -> None:
    nodes = [node(1, drivers={}, node_class="bare"), node(2, drivers={
        "raw_exec": DriverInfo(detected=True, healthy=False)}),
        node(3, drivers={}, attributes={"driver.raw_exec": "1", "kernel.name": "linux"})]
    j = job(count=1)
    result = run(MemoryState(nodes, [j]), j)
    assert list(result.plan.node_allocation) == [nodes[2].id]   # legacy attribute counts
    metric = placed_metric(result)
    assert metric.constraint_filtered == {"missing drivers": 2}
    assert metric.nodes_filtered == 2 and metric.class_filtered == {"bare": 1}


def test_every_task_driver_must_be_present() -> None:
    j = job(count=1, tasks=[task("a"), task("b", driver="exec")])
    metric = failure(run(MemoryState([node(1)], [j]), j).eval_update.failed_tg_allocs)
    assert metric.constraint_filtered == {"missing drivers": 1}


def test_job_group_and_task_constraints_report_their_text() -> None:
    nodes = [node(1, attributes={"kernel.name": "windows"}),
             node(2, meta={"rack": "r2"}),
             node(3, meta={"rack": "r1"}),
             node(4, meta={"rack": "r1", "ssd": "true"})]
    j = job(count=1, constraints=[LINUX],
            group={"constraints": [Constraint(l_target="${meta.rack}", r_target="r1")]},
            tasks=[task(constraints=[Constraint(l_target="${meta.ssd}", operand="is_set")])])
    result = run(MemoryState(nodes, [j]), j)
    assert list(result.plan.node_allocation) == [nodes[3].id]
    metric = placed_metric(result)
    assert metric.constraint_filtered == {
        "${attr.kernel.name} = linux": 1, "${meta.rack} = r1": 1, "${meta.ssd} is_set": 1}
    assert metric.nodes_evaluated == 4 and metric.nodes_filtered == 3


def test_filtered_nodes_make_a_placement_failure_with_coalesced_count() -> None:
    j = job(count=3, constraints=[LINUX])
    nodes = [node(i, attributes={"kernel.name": "windows"}, node_class="win") for i in range(2)]
    result = run(MemoryState(nodes, [j]), j)
    metric = failure(result.eval_update.failed_tg_allocs)
    assert metric.constraint_filtered == {"${attr.kernel.name} = linux": 2}
    assert metric.class_filtered == {"win": 2}
    assert (metric.nodes_evaluated, metric.nodes_filtered, metric.coalesced_failures) == (2, 2, 2)
    assert result.eval_update.queued_allocations == {"g": 3}


def test_job_constraints_are_checked_before_drivers() -> None:
    n = node(1, attributes={"kernel.name": "windows"}, drivers={})
    j = job(count=1, constraints=[LINUX])
    metric = failure(run(MemoryState([n], [j]), j).eval_update.failed_tg_allocs)
    assert metric.constraint_filtered == {"${attr.kernel.name} = linux": 1}


def test_class_cache_still_counts_every_filtered_node() -> None:
    # identical nodes share one computed class: checked once, reported per node
    nodes = [node(i, attributes={"kernel.name": "darwin", "unique.hostname": f"h{i}"})
             for i in range(6)]
    j = job(count=1, constraints=[LINUX])
    metric = failure(run(MemoryState(nodes, [j]), j).eval_update.failed_tg_allocs)
    assert metric.constraint_filtered == {"${attr.kernel.name} = linux": 6}


def test_unique_targets_are_checked_per_node() -> None:
    nodes = [node(i) for i in range(3)]
    pinned = Constraint(l_target="${node.unique.name}", r_target="node-2")
    j = job(count=1, constraints=[pinned])
    result = run(MemoryState(nodes, [j]), j)
    assert list(result.plan.node_allocation) == [nodes[2].id]


def test_distinct_hosts_at_job_level_counts_existing_and_proposed_allocs() -> None:
    nodes = [node(i) for i in range(3)]
    j = job(count=3, constraints=[Constraint(operand="distinct_hosts")])
    existing = alloc(j, nodes[0], 0)
    result = run(MemoryState(nodes, [j], [existing]), j)
    placed = result.plan.placements()
    assert len(placed) == 2
    assert {a.node_id for a in placed} == {nodes[1].id, nodes[2].id}

    more = job(count=4, constraints=[Constraint(operand="distinct_hosts")])
    result = run(MemoryState(nodes, [more]), more)
    assert len({a.node_id for a in result.plan.placements()}) == 3
    assert failure(result.eval_update.failed_tg_allocs).constraint_filtered == {
        "distinct_hosts": 3}


def test_distinct_hosts_at_group_level_ignores_other_groups_and_can_be_disabled() -> None:
    n = node(1)
    j = job(count=2, group={"constraints": [Constraint(operand="distinct_hosts")]})
    other_group = alloc(j, n, 0, group="g")
    result = run(MemoryState([n], [j], [other_group]), j)
    assert failure(result.eval_update.failed_tg_allocs).constraint_filtered == {
        "distinct_hosts": 1}
    off = job(count=2, constraints=[Constraint(operand="distinct_hosts", r_target="false")])
    assert len(run(MemoryState([n], [off]), off).plan.placements()) == 2


def test_distinct_property_limits_allocs_per_value() -> None:
    nodes = [node(i, meta={"rack": f"r{i % 2}"}) for i in range(4)] + [node(9)]
    rack = Constraint(l_target="${meta.rack}", operand="distinct_property", r_target="1")
    j = job(count=3, constraints=[rack])
    result = run(MemoryState(nodes, [j]), j)
    racks = sorted(next(n for n in nodes if n.id == a.node_id).meta["rack"]
                   for a in result.plan.placements())
    assert racks == ["r0", "r1"]
    reasons = failure(result.eval_update.failed_tg_allocs).constraint_filtered or {}
    assert reasons['missing property "${meta.rack}"'] == 1
    assert reasons["distinct_property: ${meta.rack}=r0 used by 1 allocs"] == 2


def test_host_volumes_must_exist_and_allow_the_access_asked_for() -> None:
    nodes = [node(1),
             node(2, host_volumes={"data": ClientHostVolume(name="data", path="/d",
                                                            read_only=True)}),
             node(3, host_volumes={"data": ClientHostVolume(name="data", path="/d")})]
    wants = {"volumes": {"v": VolumeRequest(name="v", type="host", source="data")}}
    j = job(count=1, group=wants)
    result = run(MemoryState(nodes, [j]), j)
    assert list(result.plan.node_allocation) == [nodes[2].id]
    assert placed_metric(result).constraint_filtered == {"missing compatible host volumes": 2}

    read_only = {"volumes": {"v": VolumeRequest(name="v", type="host", source="data",
                                                read_only=True)}}
    ro = job("ro", count=2, group=read_only)
    assert {a.node_id for a in run(MemoryState(nodes, [ro]), ro).plan.placements()} == {
        nodes[1].id, nodes[2].id}
