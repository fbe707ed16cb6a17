"""The plan applier's re-check of whole-core reservations against fresh state."""

from __future__ import annotations

from caravan.server.plan_apply import PlanApplier
from caravan.server.scheduler import SchedulerResult, schedule
from caravan.server.scheduler.interfaces import Plan
from caravan.server.state import MemoryBackend, StateStore
from caravan.structs import (
    AllocatedCpu,
    AllocatedResources,
    AllocatedTaskResources,
    Allocation,
    Evaluation,
    Job,
    NodeCpuResources,
    NodeMemoryResources,
    NodeResources,
    Resources,
    Task,
)

from ..scheduler.factories import FixedClock, Ids, evaluation, job, node

NODE = node(1, node_resources=NodeResources(
    cpu=NodeCpuResources(cpu_shares=2000, total_cpu_cores=2, reservable_cpu_cores=[0, 1]),
    memory=NodeMemoryResources(memory_mb=8192)))


def cores_job(job_id: str) -> Job:
    return job(job_id, tasks=[Task(name="web", driver="raw_exec", config={"command": "/bin/sh"},
                                   resources=Resources(cores=1, memory_mb=128))])


def new_store(*jobs: Job) -> StateStore:
    store = StateStore(MemoryBackend())
    txn = store.begin(now_ns=1)
    txn.nodes.append(NODE.model_copy(deep=True))
    txn.jobs.extend(jobs)
    store.commit(txn)
    return store


def applier(store: StateStore) -> PlanApplier:
    return PlanApplier(store, FixedClock(), on_blocked=lambda e: None,
                       on_followup=lambda e: None, on_capacity_freed=lambda: None)


def holding(alloc_id: str, j: Job, cores: list[int]) -> Allocation:
    resources = AllocatedResources(tasks={"web": AllocatedTaskResources(
        cpu=AllocatedCpu(cpu_shares=1000 * len(cores), reserved_cores=cores))})
    return Allocation(id=alloc_id, job_id=j.id, job=j, task_group="g", node_id=NODE.id,
                      allocated_resources=resources, desired_status="run",
                      client_status="pending")


def result_of(plan: Plan, eval_id: str = "e1") -> SchedulerResult:
    return SchedulerResult(plan=plan, eval_update=Evaluation(id=eval_id, status="complete"))


def test_two_plans_from_one_snapshot_cannot_take_the_same_core() -> None:
    a, b = cores_job("a"), cores_job("b")
    store = new_store(a, b)
    snapshot = store.snapshot()
    first = schedule(evaluation(a, id="ea"), snapshot, new_id=Ids("x"), clock=FixedClock())
    second = schedule(evaluation(b, id="eb"), snapshot, new_id=Ids("y"), clock=FixedClock())
    # both saw core 0 free; cpu (1000 + 1000 of 2000 MHz) would still fit
    (placed_a,) = first.plan.placements()
    (placed_b,) = second.plan.placements()
    assert placed_a.allocated_resources.tasks["web"].cpu.reserved_cores == [0]
    assert placed_b.allocated_resources.tasks["web"].cpu.reserved_cores == [0]

    plans = applier(store)
    assert plans.apply(first).rejected_nodes == []
    outcome = plans.apply(second)
    assert outcome.needs_retry and outcome.rejected_nodes == [NODE.id]
    assert store.alloc(placed_b.id) is None

    # evaluated again on fresh state, b gets the other core and fits
    again = schedule(evaluation(b, id="eb"), store.snapshot(), new_id=Ids("z"),
                     clock=FixedClock())
    (retry,) = again.plan.placements()
    assert retry.allocated_resources.tasks["web"].cpu.reserved_cores == [1]
    assert plans.apply(again).rejected_nodes == []


def test_one_plan_may_not_give_a_core_twice() -> None:
    a = cores_job("a")
    store = new_store(a)
    plan = Plan(eval_id="e1", priority=50, job=a)
    plan.append_alloc(holding("n1", a, [1]))
    plan.append_alloc(holding("n2", a, [1]))
    assert applier(store).apply(result_of(plan)).rejected_nodes == [NODE.id]
    assert store.alloc("n1") is None and store.alloc("n2") is None


def test_cores_of_stopped_and_terminal_allocations_are_free() -> None:
    a = cores_job("a")
    store = new_store(a)
    txn = store.begin(now_ns=2)
    txn.allocs += [holding("live", a, [0]),
                   holding("done", a, [1]).model_copy(update={"client_status": "complete"})]
    store.commit(txn)
    plans = applier(store)

    taken = Plan(eval_id="e1", priority=50, job=a)
    taken.append_alloc(holding("new1", a, [0]))
    assert plans.apply(result_of(taken)).rejected_nodes == [NODE.id]

    # core 1 is held only by a finished alloc; core 0 is freed by a stop in the same plan
    freed = Plan(eval_id="e2", priority=50, job=a)
    live = store.alloc("live")
    assert live is not None
    freed.append_stop(live, "alloc is being updated due to job update")
    freed.append_alloc(holding("new2", a, [0]))
    freed.append_alloc(holding("new3", a, [1]))
    assert plans.apply(result_of(freed, "e2")).rejected_nodes == []
    assert store.alloc("new2") is not None and store.alloc("new3") is not None


def test_node_without_core_reservations_is_checked_as_before() -> None:
    plain = job("plain")
    store = new_store(plain)
    result = schedule(evaluation(plain), store.snapshot(), new_id=Ids(), clock=FixedClock())
    (placed,) = result.plan.placements()
    assert placed.allocated_resources.tasks["web"].cpu.reserved_cores is None
    assert applier(store).apply(result).rejected_nodes == []
    assert store.alloc(placed.id) is not None
