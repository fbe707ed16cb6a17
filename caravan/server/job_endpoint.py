"""Job writes: register (new version, eval), deregister (stop or purge)."""

from __future__ import annotations

import json

from caravan.errors import FieldError, InvalidInput, JobValidationError, NotFound
from caravan.server.core import ServerCore
from caravan.server.namespaces import namespace_exists
from caravan.structs import Evaluation, Job, canonicalize, validate_job
from caravan.structs.validate import DEFAULT_JOB_MAX_COUNT

# The task drivers caravan ships; a job naming another one can never be placed.
KNOWN_DRIVERS = ("exec", "raw_exec")
_SERVER_FIELDS = {"stop", "status", "status_description", "stable", "version", "submit_time",
                  "create_index", "modify_index", "job_modify_index"}


class JobEndpoint:
    def __init__(self, core: ServerCore, *, max_count: int = DEFAULT_JOB_MAX_COUNT) -> None:
        self._core = core
        self._max_count = max_count

    def check(self, job: Job) -> Job:
        """`job` canonicalized, or JobValidationError listing every problem. Pure (no store
        access), so a caller may run it in a thread: it is most of a large job's cost."""
        job = canonicalize(job)
        validate_job(job, max_count=self._max_count)
        _check_drivers(job)
        return job

    def register(self, job: Job, *, checked: bool = False) -> tuple[Evaluation, int]:
        """Store `job` as a new version (after `check`, unless `checked` says it was done);
        returns the eval and its index."""
        core = self._core
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
        ev = core.new_eval(job, "job-register")
        txn.evals.append(ev)
        return ev, core.commit_and_enqueue(txn)

    def deregister(self, namespace: str, job_id: str, *, purge: bool) -> tuple[Evaluation, int]:
        core = self._core
        job = core.store.job(namespace, job_id)
        if job is None:
            raise NotFound("job not found")
        txn = core.begin()
        if purge:
            txn.job_deletes.append((namespace, job_id))
            stopped = job.model_copy(update={"stop": True})
        else:
            stopped = job.model_copy(update={"stop": True, "job_modify_index": txn.index})
            txn.jobs.append(stopped)
        core.cancel_blocked(namespace, job_id, txn)
        ev = core.new_eval(stopped, "job-deregister")
        txn.evals.append(ev)
        return ev, core.commit_and_enqueue(txn)


def _spec(job: Job) -> str:
    return json.dumps(job.model_dump(exclude=_SERVER_FIELDS), sort_keys=True, default=str)


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
