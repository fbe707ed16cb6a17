"""The plan applier's re-check of host ports: two plans made from one snapshot may both
pick the same free port; the second is refused and evaluated again."""

from __future__ import annotations

from caravan.server.plan_apply import PlanApplier
from caravan.server.scheduler import schedule
from caravan.server.state import MemoryBackend, StateStore
from caravan.structs import Job, NetworkResource, Port

from ..scheduler.factories import FixedClock, Ids, evaluation, job
from ..scheduler.test_ports import port_node

NODE = port_node(1, low=23000, high=23000)  # one dynamic port on offer


def one_port_job(job_id: str) -> Job:
    return job(job_id, group={"networks": [NetworkResource(
        mode="host", dynamic_ports=[Port(label="http")])]})


def test_two_plans_from_one_snapshot_cannot_take_the_same_port() -> None:
    a, b = one_port_job("a"), one_port_job("b")
    store = StateStore(MemoryBackend())
    txn = store.begin(now_ns=1)
    txn.nodes.append(NODE.model_copy(deep=True))
    txn.jobs.extend([a, b])
    store.commit(txn)
    snapshot = store.snapshot()
    first = schedule(evaluation(a, id="ea"), snapshot, new_id=Ids("x"), clock=FixedClock())
    second = schedule(evaluation(b, id="eb"), snapshot, new_id=Ids("y"), clock=FixedClock())
    (placed_b,) = second.plan.placements()
    assert [p.value for p in placed_b.allocated_resources.shared.ports or []] == [23000]

    plans = PlanApplier(store, FixedClock(), on_blocked=lambda e: None,
                        on_followup=lambda e: None, on_capacity_freed=lambda: None)
    assert plans.apply(first).rejected_nodes == []
    outcome = plans.apply(second)
    assert outcome.needs_retry and outcome.rejected_nodes == [NODE.id]
    assert store.alloc(placed_b.id) is None
