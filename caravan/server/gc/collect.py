"""What the server's garbage collection may delete: pure, over the store's current rows.

Nomad's rules (nomad/core_sched.go), each with its age threshold (`server { ... }`):

* an evaluation: terminal, unmodified for `eval_gc_threshold` (a batch job's:
  `batch_eval_gc_threshold`), and every allocation it made collectable; those
  allocations go with it. A batch job that is still wanted keeps its evaluations, but
  allocations of its older versions are collected.
* an allocation: terminal, unmodified for the threshold, not running on its client,
  and not one that may still be rescheduled (failed, with reschedule attempts left
  and no replacement yet);
* a job: stopped (a batch job also when finished; a periodic or parameterized job only
  when stopped), submitted `job_gc_threshold` ago, with every evaluation collectable:
  it goes (purged, all versions) with its evaluations and allocations;
* a deployment: no longer active (or its job is gone), unmodified for
  `deployment_gc_threshold`, and all its allocations terminal;
* a node: down for `node_gc_threshold`, with every allocation on it terminal.

`caravan system gc` runs the same rules with every threshold at zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from caravan.server import summary
from caravan.server.state import StateStore
from caravan.structs import Allocation, Evaluation, Job
from caravan.structs.deployment import Deployment

HOUR_NS = 3600 * 1_000_000_000
_BATCH = ("batch", "sysbatch")


@dataclass(frozen=True)
class Thresholds:
    """Ages (nanoseconds) past which terminal objects are collected; Nomad's defaults."""

    job: int = 4 * HOUR_NS
    eval: int = 1 * HOUR_NS
    batch_eval: int = 24 * HOUR_NS
    deployment: int = 1 * HOUR_NS
    node: int = 24 * HOUR_NS

    @classmethod
    def forced(cls) -> Thresholds:
        return cls(0, 0, 0, 0, 0)


@dataclass
class Garbage:
    jobs: list[tuple[str, str]] = field(default_factory=list)   # (namespace, job ID)
    evals: list[str] = field(default_factory=list)
    allocs: list[str] = field(default_factory=list)
    deployments: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.jobs or self.evals or self.allocs or self.deployments or self.nodes)


class _View:
    """The rows GC reads, indexed once per pass (the store has no alloc-by-eval index)."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.allocs_by_eval: dict[str, list[Allocation]] = {}
        self.allocs_by_deployment: dict[str, list[Allocation]] = {}
        for alloc in store.allocs():
            self.allocs_by_eval.setdefault(alloc.eval_id, []).append(alloc)
            if alloc.deployment_id:
                self.allocs_by_deployment.setdefault(alloc.deployment_id, []).append(alloc)


def collect(store: StateStore, thresholds: Thresholds, now_ns: int) -> Garbage:
    """Everything collectable at `now_ns`."""
    view = _View(store)
    garbage = Garbage()
    in_jobs: set[str] = set()
    for job in store.jobs():
        found = _job_garbage(view, job, now_ns - thresholds.job, now_ns)
        if found is not None:
            garbage.jobs.append((job.namespace, job.id))
            garbage.evals += found[0]
            garbage.allocs += found[1]
            in_jobs.update(found[0])
    for ev in store.evals():
        if ev.id in in_jobs:
            continue
        cutoff = now_ns - (thresholds.batch_eval if ev.type == "batch" else thresholds.eval)
        collectable, allocs = _eval_garbage(view, ev, cutoff, allow_batch=False, now_ns=now_ns)
        if collectable:
            garbage.evals.append(ev.id)
        garbage.allocs += allocs
    garbage.allocs = list(dict.fromkeys(garbage.allocs))
    gone = set(garbage.jobs)
    garbage.deployments = [d.id for d in store.deployments.all()
                           if _deployment_collectable(view, d, gone,
                                                      now_ns - thresholds.deployment)]
    garbage.nodes = [n.id for n in store.nodes()
                     if n.status == "down" and n.status_updated_at * 1_000_000_000
                     <= now_ns - thresholds.node
                     and all(a.terminal() for a in store.allocs_by_node(n.id))]
    return garbage


def _job_collectable(job: Job, store: StateStore) -> bool:
    if (job.periodic is not None and job.periodic.enabled) or job.is_parameterized():
        return job.stop
    allocs = store.allocs_by_job(job.namespace, job.id)
    evals = store.evals_by_job(job.namespace, job.id)
    if summary.job_status(job, allocs, evals) != "dead":
        return False
    return job.stop or job.type in _BATCH


def _job_garbage(view: _View, job: Job, cutoff: int,
                 now_ns: int) -> tuple[list[str], list[str]] | None:
    """(evals, allocs) that go with the job, or None when the job stays."""
    if job.submit_time > cutoff or not _job_collectable(job, view.store):
        return None
    evals: list[str] = []
    allocs: list[str] = []
    for ev in view.store.evals_by_job(job.namespace, job.id):
        collectable, ev_allocs = _eval_garbage(view, ev, cutoff, allow_batch=True,
                                               now_ns=now_ns)
        if not collectable:
            return None
        evals.append(ev.id)
        allocs += ev_allocs
    return evals, allocs


def _eval_garbage(view: _View, ev: Evaluation, cutoff: int, *, allow_batch: bool,
                  now_ns: int) -> tuple[bool, list[str]]:
    """Whether the eval may go, and which of its allocations may."""
    if not ev.terminal() or ev.modify_time > cutoff:
        return False, []
    job = view.store.job(ev.namespace, ev.job_id)
    allocs = view.allocs_by_eval.get(ev.id, [])
    if ev.type == "batch":
        dead = job is None or (_job_collectable(job, view.store) and (job.stop or allow_batch))
        if not dead:
            assert job is not None
            older = _older_terminal(allocs, job, cutoff)
            return len(older) == len(allocs), older
    ids = [a.id for a in allocs if alloc_collectable(a, job, cutoff, now_ns)]
    return len(ids) == len(allocs), ids


def _older_terminal(allocs: Iterable[Allocation], job: Job, cutoff: int) -> list[str]:
    return [a.id for a in allocs
            if a.create_index < job.job_modify_index and a.modify_time <= cutoff
            and a.terminal()]


def alloc_collectable(alloc: Allocation, job: Job | None, cutoff: int, now_ns: int) -> bool:
    """Nomad's allocGCEligible."""
    if not alloc.terminal() or alloc.modify_time > cutoff or alloc.client_status == "running":
        return False
    if job is None or job.stop or alloc.desired_status == "stop":
        return True
    if alloc.client_status != "failed":
        return True
    group = job.group(alloc.task_group)
    policy = group.reschedule_policy if group is not None else None
    if policy is None or (not policy.unlimited and not policy.attempts):
        return True
    if alloc.next_allocation:
        return True
    if policy.unlimited:
        return False
    tracker = alloc.reschedule_tracker
    if tracker is None or not tracker.events:
        return False
    return now_ns - tracker.events[-1].reschedule_time > (policy.interval or 0)


def _deployment_collectable(view: _View, d: Deployment, gone: set[tuple[str, str]],
                            cutoff: int) -> bool:
    job_gone = (d.namespace, d.job_id) in gone or view.store.job(d.namespace, d.job_id) is None
    if (d.active() and not job_gone) or d.modify_time > cutoff:
        return False
    return all(a.terminal() for a in view.allocs_by_deployment.get(d.id, []))
