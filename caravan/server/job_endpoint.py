"""Jobs: register (new version, eval), deregister (stop or purge), and the job reads.

Callers are authorized before they get here (the HTTP layer's one authorization path).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from caravan.errors import FieldError, InvalidInput, JobValidationError, NotFound
from caravan.server import summary
from caravan.server.core import ServerCore
from caravan.server.namespaces import namespace_exists
from caravan.server.periodic import children, launches
from caravan.structs import (
    AllocListStub,
    Evaluation,
    Job,
    JobListStub,
    JobSummary,
    canonicalize,
    validate_job,
)
from caravan.structs.validate import DEFAULT_JOB_MAX_COUNT

# The task drivers caravan ships; a job naming another one can never be placed.
KNOWN_DRIVERS = ("exec", "raw_exec")
_SERVER_FIELDS = {"stop", "status", "status_description", "stable", "version", "submit_time",
                  "create_index", "modify_index", "job_modify_index"}


class JobEndpoint:
    def __init__(self, core: ServerCore, *, max_count: int = DEFAULT_JOB_MAX_COUNT) -> None:
        self._core = core
        self._max_count = max_count

    # ---- reads ---------------------------------------------------------------------------

    def list_jobs(self, namespace: str, prefix: str = "",
                  visible: Callable[[str], bool] = lambda _ns: True) -> list[JobListStub]:
        """Jobs of `namespace` (`*`: all) whose ID starts with `prefix`, as list stubs."""
        return [self.list_stub(j) for j in self.listed(namespace, prefix, visible)]

    def listed(self, namespace: str, prefix: str = "",
               visible: Callable[[str], bool] = lambda _ns: True) -> list[Job]:
        """The jobs `list_jobs` shows, before they become stubs."""
        return [j for j in self._core.store.jobs(namespace)
                if j.id.startswith(prefix) and visible(j.namespace)]

    def list_stub(self, job: Job) -> JobListStub:
        store = self._core.store
        return summary.list_stub(job, store.allocs_by_job(job.namespace, job.id),
                                 store.evals_by_job(job.namespace, job.id))

    def exists(self, namespace: str, job_id: str) -> bool:
        return self._core.store.job(namespace, job_id) is not None

    def get(self, namespace: str, job_id: str) -> Job:
        """The job with its status derived from its allocs and evals; NotFound if none."""
        job = self._job(namespace, job_id)
        store = self._core.store
        return summary.with_status(job, store.allocs_by_job(job.namespace, job.id),
                                   store.evals_by_job(job.namespace, job.id))

    def versions(self, namespace: str, job_id: str) -> list[Job]:
        job = self._job(namespace, job_id)
        return self._core.store.job_versions(job.namespace, job.id)

    def summary(self, namespace: str, job_id: str) -> JobSummary:
        job = self._job(namespace, job_id)
        store = self._core.store
        found = summary.job_summary(job, store.allocs_by_job(job.namespace, job.id),
                                    store.evals_by_job(job.namespace, job.id))
        found.children = children.children_summary(store, job)
        return found

    def allocations(self, namespace: str, job_id: str, *,
                    all_versions: bool = False) -> list[AllocListStub]:
        """Newest first. Without `all_versions`, allocs of an earlier job that had the same
        ID (purged, then registered again) are hidden."""
        store = self._core.store
        job = store.job(namespace, job_id)
        allocs = store.allocs_by_job(namespace, job_id)
        if job is not None and not all_versions:
            allocs = [a for a in allocs
                      if a.job is None or a.job.create_index == job.create_index]
        allocs.sort(key=lambda a: a.create_index, reverse=True)
        return [AllocListStub.of(a) for a in allocs]

    def evaluations(self, namespace: str, job_id: str) -> list[Evaluation]:
        return sorted(self._core.store.evals_by_job(namespace, job_id),
                      key=lambda e: e.create_index, reverse=True)

    def _job(self, namespace: str, job_id: str) -> Job:
        job = self._core.store.job(namespace, job_id)
        if job is None:
            raise NotFound("job not found")
        return job

    # ---- writes --------------------------------------------------------------------------

    def check(self, job: Job) -> Job:
        """`job` canonicalized, or JobValidationError listing every problem. Pure (no store
        access), so a caller may run it in a thread: it is most of a large job's cost."""
        job = canonicalize(job)
        validate_job(job, max_count=self._max_count)
        _check_drivers(job)
        return job

    def register(self, job: Job, *, enforce_index: int | None = None, checked: bool = False,
                 triggered_by: str = "job-register") -> tuple[Evaluation | None, int, int]:
        """Store `job` as a new version, after `check` unless `checked` says it was done.

        With `enforce_index`, only if the stored job's JobModifyIndex is that value (0:
        only if there is no such job), as `job run -check-index` asks. Returns the eval,
        its index and the job's JobModifyIndex.
        """
        core = self._core
        if enforce_index is not None:
            self._check_index(job, enforce_index)
        if not checked:
            job = self.check(job)
        if not namespace_exists(core.store, job.namespace):
            raise InvalidInput(f'job "{job.id}" is in nonexistent namespace "{job.namespace}"')
        existing = core.store.job(job.namespace, job.id)
        txn = core.begin()
        version = 0
        if existing is not None:
            changed = _spec(existing) != _spec(job) or existing.stop
            version = existing.version + 1 if changed else existing.version
        job = job.model_copy(update={
            "version": version, "stop": False, "status": "pending",
            "submit_time": core.clock.now_ns(), "job_modify_index": txn.index,
        })
        txn.jobs.append(job)
        core.cancel_blocked(job.namespace, job.id, txn)
        launches.record_registration(core.store, job, txn, launches.from_ns(job.submit_time))
        ev = None if job.is_template() else core.new_eval(job, triggered_by)
        if ev is not None:
            txn.evals.append(ev)
        index = core.commit_and_enqueue(txn)
        stored = core.store.job(job.namespace, job.id)
        return ev, index, stored.job_modify_index if stored else index

    def _check_index(self, job: Job, wanted: int) -> None:
        existing = self._core.store.job(job.namespace, job.id)
        current = existing.job_modify_index if existing else 0
        if current != wanted:
            raise InvalidInput(f"Enforcing job modify index {wanted}: job "
                               f"exists with conflicting job modify index: {current}")

    def deregister(self, namespace: str, job_id: str, *,
                   purge: bool) -> tuple[Evaluation | None, int]:
        core = self._core
        job = core.store.job(namespace, job_id)
        if job is None:
            raise NotFound("job not found")
        txn = core.begin()
        if purge:
            txn.job_deletes.append((namespace, job_id))
            launches.forget(core.store, namespace, job_id, txn)
            stopped = job.model_copy(update={"stop": True})
        else:
            stopped = job.model_copy(update={"stop": True, "job_modify_index": txn.index})
            txn.jobs.append(stopped)
        core.cancel_blocked(namespace, job_id, txn)
        # A periodic or parameterized job has no allocations of its own to stop.
        ev = None if job.is_template() else core.new_eval(stopped, "job-deregister")
        if ev is not None:
            txn.evals.append(ev)
        return ev, core.commit_and_enqueue(txn)


def _spec(job: Job) -> str:
    return json.dumps(job.model_dump(exclude=_SERVER_FIELDS), sort_keys=True, default=str)


def same_spec(a: Job, b: Job) -> bool:
    """Whether registering `b` over `a` keeps the version (only server fields differ)."""
    return _spec(a) == _spec(b)


def _check_drivers(job: Job) -> None:
    errors = [
        FieldError(path=f"TaskGroups[{gi}].Tasks[{ti}].Driver",
                   message=f'unknown task driver "{task.driver}" '
                           f'(caravan offers: {", ".join(KNOWN_DRIVERS)})')
        for gi, group in enumerate(job.task_groups)
        for ti, task in enumerate(group.tasks)
        if task.driver not in KNOWN_DRIVERS
    ]
    if errors:
        raise JobValidationError(errors)
