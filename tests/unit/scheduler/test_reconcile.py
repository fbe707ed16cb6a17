"""Service/batch reconciliation: count changes, updates, job stop, lost and finished allocs."""

from __future__ import annotations

from caravan.structs import Allocation, Job, ReschedulePolicy, TaskGroup, canonicalize

from .factories import NOW, MemoryState, alloc, job, node, run, task


def bump(j: Job, **group_changes: object) -> Job:
    """The next version of `j` with its group changed."""
    group = j.task_groups[0].model_copy(update=group_changes)
    return j.model_copy(update={"version": j.version + 1, "task_groups": [group],
                                "job_modify_index": j.job_modify_index + 10})


def names(allocs: list[Allocation]) -> list[str]:
    return sorted(a.name for a in allocs)


def test_count_up_places_the_missing_indexes() -> None:
    n = node(1)
    v0 = job(count=2)
    v1 = bump(v0, count=4)
    existing = [alloc(v0, n, 0), alloc(v0, n, 3, id="three")]
    result = run(MemoryState([n], [v1], existing), v1)
    assert names([a for a in result.plan.placements() if a.client_status == "pending"
                  and a.previous_allocation == ""]) == ["web.g[1]", "web.g[2]"]
    assert result.plan.stops() == []


def test_count_down_stops_the_highest_indexes() -> None:
    n = node(1)
    v0 = job(count=4)
    v1 = bump(v0, count=1)
    existing = [alloc(v0, n, i) for i in range(4)]
    result = run(MemoryState([n], [v1], existing), v1)
    stops = result.plan.stops()
    assert names(stops) == ["web.g[1]", "web.g[2]", "web.g[3]"]
    assert {(a.desired_status, a.desired_description) for a in stops} == {
        ("stop", "alloc not needed due to job update")}
    # the survivor only had its count changed: updated in place with the new job
    (kept,) = result.plan.placements()
    assert kept.id == existing[0].id and kept.job is not None and kept.job.version == 1


def test_nothing_to_do_is_a_noop_plan() -> None:
    n = node(1)
    j = job(count=2)
    result = run(MemoryState([n], [j], [alloc(j, n, 0), alloc(j, n, 1)]), j)
    assert result.plan.is_noop()
    assert result.eval_update.status == "complete"


def test_destructive_update_replaces_under_the_same_name() -> None:
    n = node(1)
    v0 = job(count=2)
    v1 = bump(v0, tasks=[task(memory=512)])
    existing = [alloc(v0, n, 0), alloc(v0, n, 1)]
    result = run(MemoryState([n], [v1], existing), v1)
    stops = {a.id: a for a in result.plan.stops()}
    assert set(stops) == {a.id for a in existing}
    assert {a.desired_description for a in stops.values()} == {
        "alloc is being updated due to job update"}
    placed = result.plan.placements()
    assert names(placed) == ["web.g[0]", "web.g[1]"]
    for new in placed:
        assert new.job is v1 and new.previous_allocation in stops
        assert stops[new.previous_allocation].next_allocation == new.id
        assert stops[new.previous_allocation].name == new.name


def test_destructive_update_reuses_the_resources_it_frees() -> None:
    # the node only has room for one allocation: the replacement fits because the
    # old allocation is stopped first
    n = node(1, node_resources=node(1).node_resources.model_copy(deep=True))
    n.node_resources.cpu.cpu_shares = 150
    v0 = job(count=1)
    v1 = bump(v0, tasks=[task(cpu=120)])
    result = run(MemoryState([n], [v1], [alloc(v0, n, 0)]), v1)
    assert len(result.plan.placements()) == 1 and len(result.plan.stops()) == 1


def test_failed_destructive_update_keeps_the_old_allocation() -> None:
    n = node(1)
    v0 = job(count=1)
    v1 = bump(v0, tasks=[task(cpu=100_000)])
    result = run(MemoryState([n], [v1], [alloc(v0, n, 0)]), v1)
    assert result.plan.is_noop()
    assert result.eval_update.failed_tg_allocs is not None
    assert result.blocked_eval is not None


def test_in_place_update_when_only_count_or_reschedule_changed() -> None:
    n = node(1)
    v0 = job(count=1)
    current = v0.task_groups[0].reschedule_policy
    assert current is not None
    policy = current.model_copy(update={"attempts": 9})
    v1 = bump(v0, reschedule_policy=policy)
    old = alloc(v0, n, 0)
    result = run(MemoryState([n], [v1], [old]), v1)
    (updated,) = result.plan.placements()
    assert updated.id == old.id and updated.job is v1 and updated.node_id == n.id
    assert updated.allocated_resources == old.allocated_resources
    assert result.plan.stops() == []


def test_job_meta_change_is_destructive() -> None:
    n = node(1)
    v0 = job(count=1)
    v1 = v0.model_copy(update={"version": 1, "meta": {"owner": "me"}})
    result = run(MemoryState([n], [v1], [alloc(v0, n, 0)]), v1)
    assert len(result.plan.stops()) == 1


def test_job_stop_stops_every_live_allocation() -> None:
    up, down = node(1), node(2, status="down")
    j = job(count=3)
    existing = [alloc(j, up, 0), alloc(j, down, 1), alloc(j, up, 2, client_status="failed")]
    stopped = j.model_copy(update={"stop": True})
    result = run(MemoryState([up, down], [stopped], existing), stopped)
    stops = {a.name: a for a in result.plan.stops()}
    assert set(stops) == {"web.g[0]", "web.g[1]"}
    assert stops["web.g[0]"].desired_description == "alloc not needed due to job update"
    assert (stops["web.g[1]"].client_status, stops["web.g[1]"].desired_description) == (
        "lost", "alloc is lost since its node is down")
    assert result.plan.placements() == []
    assert result.eval_update.status == "complete"


def test_purged_job_stops_everything() -> None:
    n = node(1)
    j = job(count=1)
    result = run(MemoryState([n], [], [alloc(j, n, 0)]), j)
    assert len(result.plan.stops()) == 1 and result.plan.job is None


def test_removed_group_is_stopped() -> None:
    n = node(1)
    v0 = job(count=1)
    renamed = v0.task_groups[0].model_copy(update={"name": "h"})
    v1 = v0.model_copy(update={"version": 1, "task_groups": [renamed]})
    result = run(MemoryState([n], [v1], [alloc(v0, n, 0)]), v1)
    assert names(result.plan.stops()) == ["web.g[0]"]
    assert names(result.plan.placements()) == ["web.h[0]"]


def test_lost_allocations_on_down_or_missing_nodes_are_replaced() -> None:
    up, down, gone = node(1), node(2, status="down"), node(3)
    j = job(count=3)
    existing = [alloc(j, up, 0), alloc(j, down, 1), alloc(j, gone, 2)]
    result = run(MemoryState([up, down], [j], existing), j)
    lost = {a.id: a for a in result.plan.stops()}
    assert set(lost) == {existing[1].id, existing[2].id}
    assert all(a.client_status == "lost" and a.desired_status == "stop" for a in lost.values())
    assert all(a.desired_description == "alloc is lost since its node is down"
               for a in lost.values())
    placed = result.plan.placements()
    assert names(placed) == ["web.g[1]", "web.g[2]"]
    assert all(a.node_id == up.id and a.previous_allocation in lost for a in placed)
    assert all(lost[a.previous_allocation].next_allocation == a.id for a in placed)


def test_lost_allocations_are_stopped_even_when_no_replacement_fits() -> None:
    down = node(2, status="down")
    j = job(count=1)
    result = run(MemoryState([down], [j], [alloc(j, down, 0)]), j)
    (lost,) = result.plan.stops()
    assert lost.client_status == "lost" and lost.next_allocation == ""
    assert result.eval_update.queued_allocations == {"g": 1}


def test_batch_allocations_that_completed_are_never_replaced() -> None:
    n = node(1)
    j = job(count=2, type="batch")
    done = [alloc(j, n, 0, client_status="complete"),
            alloc(j, n, 1, client_status="complete", desired_status="stop")]
    result = run(MemoryState([n], [j], done), j)
    assert result.plan.is_noop()


def test_batch_job_registered_again_after_purge_runs_again() -> None:
    """A failed batch alloc of the purged job (no reschedules left) belongs to the old
    job: the job registered again under the same ID gets its own placement."""
    n = node(1)
    no_retry = {"reschedule_policy": ReschedulePolicy(attempts=0, unlimited=False)}
    old = job(count=1, type="batch", group=no_retry)
    again = old.model_copy(update={"create_index": 40, "job_modify_index": 40})
    failed = alloc(old, n, 0, client_status="failed")
    assert run(MemoryState([n], [old], [failed]), old).plan.is_noop()  # same job: no rerun
    result = run(MemoryState([n], [again], [failed]), again)
    (placed,) = result.plan.placements()
    assert placed.name == "web.g[0]" and placed.previous_allocation == ""


def test_service_allocations_that_completed_are_replaced() -> None:
    n = node(1)
    j = job(count=1)
    result = run(MemoryState([n], [j], [alloc(j, n, 0, client_status="complete")]), j)
    assert names(result.plan.placements()) == ["web.g[0]"]
    assert result.plan.placements()[0].previous_allocation == ""


def test_stopped_allocations_do_not_count() -> None:
    n = node(1)
    j = job(count=1)
    stopping = alloc(j, n, 0, desired_status="stop", client_status="running")
    result = run(MemoryState([n], [j], [stopping]), j)
    assert names(result.plan.placements()) == ["web.g[0]"]


def test_several_groups_reconcile_independently() -> None:
    n = node(1)
    j = job(count=1)
    second = TaskGroup(name="db", count=2, tasks=[task("db")])
    j = j.model_copy(update={"task_groups": j.task_groups + [second]})
    j = canonicalize(j)
    result = run(MemoryState([n], [j], [alloc(j, n, 0)]), j)
    assert names(result.plan.placements()) == ["web.db[0]", "web.db[1]"]
    assert result.eval_update.queued_allocations == {"g": 0, "db": 0}
    assert all(a.create_time == NOW for a in result.plan.placements())
