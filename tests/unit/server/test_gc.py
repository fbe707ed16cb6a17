"""Server garbage collection: Nomad's thresholds and rules, and deletes that last."""

from __future__ import annotations

from pathlib import Path

from caravan.server.core import ServerCore
from caravan.server.eval_broker import EvalBroker
from caravan.server.gc.collect import HOUR_NS, Thresholds, collect
from caravan.server.gc.collector import GarbageCollector, GCSettings
from caravan.server.state import SqliteBackend, StateStore
from caravan.structs import (
    Allocation,
    Evaluation,
    Job,
    Node,
    ReschedulePolicy,
    Task,
    TaskGroup,
    canonicalize,
)
from caravan.structs.deployment import Deployment

NOW = 100 * HOUR_NS


class Clock:
    def now_ns(self) -> int:
        return NOW


def _store(tmp_path: Path) -> StateStore:
    return StateStore(SqliteBackend(tmp_path / "state.db"))


def _job(job_id: str, *, stop: bool = False, type: str = "service", submitted: int = 0,
         reschedule: ReschedulePolicy | None = None) -> Job:
    group = TaskGroup(name="g", count=1, reschedule_policy=reschedule,
                      tasks=[Task(name="t", driver="raw_exec")])
    job = canonicalize(Job(id=job_id, name=job_id, type=type, task_groups=[group]))
    if reschedule is not None:
        job.task_groups[0].reschedule_policy = reschedule
    return job.model_copy(update={"stop": stop, "submit_time": submitted})


def _write(store: StateStore, at: int, *, jobs: list[Job] = (),  # type: ignore[assignment]
           evals: list[Evaluation] = (), allocs: list[Allocation] = (),  # type: ignore[assignment]
           deployments: list[Deployment] = ()) -> None:  # type: ignore[assignment]
    txn = store.begin(now_ns=at)
    txn.jobs += jobs
    txn.evals += evals
    txn.allocs += allocs
    txn.deployments += deployments
    store.commit(txn)


def _eval(eval_id: str, job: Job, status: str = "complete") -> Evaluation:
    return Evaluation(id=eval_id, job_id=job.id, type=job.type, status=status)


def _alloc(alloc_id: str, job: Job, eval_id: str, client_status: str = "complete",
           desired: str = "run", **over: object) -> Allocation:
    return Allocation(id=alloc_id, job_id=job.id, job=job, eval_id=eval_id, node_id="n1",
                      task_group="g", client_status=client_status, desired_status=desired,
                      **over)


def test_a_stopped_job_goes_with_its_evals_and_allocs_after_job_gc_threshold(
        tmp_path: Path) -> None:
    store = _store(tmp_path)
    old = _job("old", stop=True, submitted=NOW - 5 * HOUR_NS)
    young = _job("young", stop=True, submitted=NOW - 1 * HOUR_NS)
    _write(store, NOW - 5 * HOUR_NS, jobs=[old, young],
           evals=[_eval("e-old", old), _eval("e-young", young)],
           allocs=[_alloc("a-old", old, "e-old"), _alloc("a-young", young, "e-young")])
    garbage = collect(store, Thresholds(), NOW)
    assert garbage.jobs == [("default", "old")]
    # the young job stays; its eval is old enough for the eval pass (as in Nomad)
    assert sorted(garbage.evals) == ["e-old", "e-young"]
    assert sorted(garbage.allocs) == ["a-old", "a-young"]


def test_what_still_runs_or_may_be_rescheduled_stays(tmp_path: Path) -> None:
    store = _store(tmp_path)
    running = _job("running", submitted=0)
    retry = _job("retry", submitted=0, reschedule=ReschedulePolicy(unlimited=True, attempts=0))
    _write(store, 0, jobs=[running, retry],
           evals=[_eval("e-run", running), _eval("e-retry", retry),
                  _eval("e-blocked", running, status="blocked")],
           allocs=[_alloc("a-run", running, "e-run", client_status="running"),
                   _alloc("a-failed", retry, "e-retry", client_status="failed",
                          desired="run")])
    garbage = collect(store, Thresholds.forced(), NOW)
    assert not garbage, garbage


def test_batch_evals_wait_for_the_batch_threshold(tmp_path: Path) -> None:
    store = _store(tmp_path)
    batch = _job("nightly", type="batch", submitted=NOW - 2 * HOUR_NS)
    _write(store, NOW - 2 * HOUR_NS, jobs=[batch], evals=[_eval("e1", batch)],
           allocs=[_alloc("a1", batch, "e1")])
    assert not collect(store, Thresholds(job=10 * HOUR_NS), NOW)
    # a finished batch job is collectable once past job_gc_threshold, evals with it
    found = collect(store, Thresholds(job=HOUR_NS), NOW)
    assert (found.jobs, found.evals, found.allocs) == ([("default", "nightly")], ["e1"], ["a1"])


def test_deployments_of_a_purged_job_are_collected(tmp_path: Path) -> None:
    store = _store(tmp_path)
    job = _job("web", submitted=0)
    _write(store, NOW - 2 * HOUR_NS, jobs=[job], deployments=[
        Deployment(id="d-active", job_id="web"),
        Deployment(id="d-done", job_id="web", status="successful")])
    assert collect(store, Thresholds(), NOW).deployments == ["d-done"]
    txn = store.begin(now_ns=NOW)
    txn.job_deletes.append(("default", "web"))
    store.commit(txn)
    # the job is gone: its deployment is collected although nobody marked it finished
    assert sorted(collect(store, Thresholds(), NOW).deployments) == ["d-active", "d-done"]


def test_force_deletes_durably_and_leaves_the_rest(tmp_path: Path) -> None:
    store = _store(tmp_path)
    gone = _job("gone", stop=True, submitted=NOW)
    kept = _job("kept", submitted=NOW)
    _write(store, NOW, jobs=[gone, kept],
           evals=[_eval("e-gone", gone), _eval("e-kept", kept, status="pending")],
           allocs=[_alloc("a-gone", gone, "e-gone"), _alloc("a-kept", kept, "e-kept",
                                                              client_status="running")],
           deployments=[Deployment(id="d-gone", job_id="gone", status="cancelled")])
    core = ServerCore(store=store, broker=EvalBroker(), clock=Clock(), new_id=lambda: "x")
    gc = GarbageCollector(core, GCSettings())
    assert not gc.collect(GCSettings().thresholds)   # nothing is old enough yet
    garbage = gc.force()
    assert garbage.jobs == [("default", "gone")]
    store.close()
    reopened = _store(tmp_path)
    assert [j.id for j in reopened.jobs()] == ["kept"]
    assert reopened.job_versions("default", "gone") == []
    assert [e.id for e in reopened.evals()] == ["e-kept"]
    assert [a.id for a in reopened.allocs()] == ["a-kept"]
    assert reopened.deployments.all() == []
    assert reopened.allocs_by_job("default", "gone") == []


def test_down_nodes_go_after_node_gc_threshold_once_their_allocs_are_terminal(
        tmp_path: Path) -> None:
    store = _store(tmp_path)
    job = _job("web", submitted=NOW)
    long_down = NOW // 1_000_000_000 - 25 * 3600
    txn = store.begin(now_ns=NOW)
    txn.nodes += [Node(id="gone", status="down", status_updated_at=long_down),
                  Node(id="busy", status="down", status_updated_at=long_down),
                  Node(id="recent", status="down", status_updated_at=NOW // 1_000_000_000),
                  Node(id="ready", status="ready", status_updated_at=long_down)]
    txn.jobs.append(job)
    txn.allocs += [_alloc("a1", job, "e1", client_status="lost", desired="stop"),
                   _alloc("a2", job, "e1", client_status="running").model_copy(
                       update={"node_id": "busy"})]
    store.commit(txn)
    assert collect(store, Thresholds(), NOW).nodes == ["gone"]
    assert sorted(collect(store, Thresholds.forced(), NOW).nodes) == ["gone", "recent"]
