"""Ports as the scheduler gives them: static ports are a resource, dynamic ones come from
the node's range, and no host port goes to two live allocations of a node."""

from __future__ import annotations

from caravan.structs import (
    Allocation,
    Job,
    NetworkResource,
    Node,
    NodeCpuResources,
    NodeMemoryResources,
    NodeResources,
    Port,
)

from .factories import MemoryState, job, node, run


def port_node(i: int = 1, low: int = 20000, high: int = 32000) -> Node:
    return node(i, node_resources=NodeResources(
        cpu=NodeCpuResources(cpu_shares=4000), memory=NodeMemoryResources(memory_mb=8192),
        networks=[NetworkResource(mode="host", device="eth0", ip=f"10.0.0.{i}")],
        min_dynamic_port=low, max_dynamic_port=high))


def ports_job(job_id: str = "web", *, count: int = 1, static: int = 0, dynamic: int = 1) -> Job:
    network = NetworkResource(
        mode="host",
        reserved_ports=[Port(label="fixed", value=static)] if static else None,
        dynamic_ports=[Port(label=f"d{i}", to=8080 if i == 0 else 0)
                       for i in range(dynamic)] or None)
    return job(job_id, count=count, group={"networks": [network]})


def held(allocs: list[Allocation]) -> list[int]:
    return [p.value for a in allocs for p in a.allocated_resources.shared.ports or []]


def test_dynamic_ports_are_distinct_in_range_and_mapped() -> None:
    n = port_node(low=21000, high=21009)
    j = ports_job(count=3, dynamic=3)
    placed = run(MemoryState([n], [j], []), j).plan.placements()
    assert len(placed) == 3
    values = held(placed)
    assert len(values) == 9 and len(set(values)) == 9
    assert all(21000 <= v <= 21009 for v in values)
    ports = placed[0].allocated_resources.shared.ports or []
    assert {p.label: p.to for p in ports} == {"d0": 8080, "d1": 0, "d2": 0}
    assert {p.host_ip for p in ports} == {"10.0.0.1"}


def test_a_static_port_fits_once_per_node_with_nomads_reason() -> None:
    nodes = [port_node(1), port_node(2)]
    j = ports_job(count=3, static=8080, dynamic=0)
    result = run(MemoryState(nodes, [j], []), j)
    assert sorted(a.node_id[:8] for a in result.plan.placements()) == ["node0001", "node0002"]
    metric = result.eval_update.failed_tg_allocs["g"]  # type: ignore[index]
    assert metric.dimension_exhausted == {"network: reserved port collision fixed=8080": 2}


def test_ports_of_live_allocations_on_the_node_are_taken() -> None:
    n = port_node(low=22000, high=22001)
    first = ports_job("a", dynamic=2)
    existing = run(MemoryState([n], [first], []), first).plan.placements()
    assert sorted(held(existing)) == [22000, 22001]
    other = ports_job("b", dynamic=1)
    result = run(MemoryState([n], [first, other], existing), other)
    assert result.plan.placements() == []
    metric = result.eval_update.failed_tg_allocs["g"]  # type: ignore[index]
    assert metric.dimension_exhausted == {"network: dynamic port selection failed": 1}
    # once the first job's allocs are stopped, their ports are free again
    stopped = [a.model_copy(update={"desired_status": "stop", "client_status": "complete"})
               for a in existing]
    assert held(run(MemoryState([n], [first, other], stopped), other).plan.placements())


def test_a_node_without_an_address_cannot_give_ports() -> None:
    j = ports_job()
    result = run(MemoryState([node(1)], [j], []), j)
    metric = result.eval_update.failed_tg_allocs["g"]  # type: ignore[index]
    assert metric.dimension_exhausted == {
        "network: no addresses available for default network": 1}
