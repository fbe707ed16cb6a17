"""Changes to a registered job other than a new spec: revert to an earlier version, mark
a version stable, scale a group, evaluate again; the scale status read, and the plan
(a dry run of a registration).

Each writes through the job endpoint's `register` (a new version when the spec
changes, an evaluation) or through the store's version rows, so the rules of a
registration (validation, namespaces, `job_max_count`) hold for them too.
Callers are authorized before they get here.
"""

from __future__ import annotations

from caravan.errors import InvalidInput, NotFound
from caravan.server.core import ServerCore
from caravan.server.job_endpoint import JobEndpoint
from caravan.server.job_plan import plan_job
from caravan.structs import Evaluation, Job
from caravan.structs.plan import JobPlanResponse
from caravan.structs.scale import JobScaleStatus, TaskGroupScaleStatus


class JobChanges:
    def __init__(self, core: ServerCore, jobs: JobEndpoint) -> None:
        self._core = core
        self._jobs = jobs

    def revert(self, namespace: str, job_id: str, version: int,
               enforce_prior: int | None = None) -> tuple[Evaluation | None, int, int]:
        current = self._current(namespace, job_id)
        if enforce_prior is not None and current.version != enforce_prior:
            raise InvalidInput(f"Current job has version {current.version}; enforcing version "
                               f"{enforce_prior}")
        if version == current.version:
            raise InvalidInput("can't revert to current version")
        old = next((j for j in self._core.store.job_versions(namespace, job_id)
                    if j.version == version), None)
        if old is None:
            raise NotFound(f'job "{job_id}" in namespace "{namespace}" at version {version} '
                           "not found")
        return self._jobs.register(old.model_copy(update={"stable": False}))

    def set_stable(self, namespace: str, job_id: str, version: int, stable: bool) -> int:
        self._current(namespace, job_id)
        store = self._core.store
        old = next((j for j in store.job_versions(namespace, job_id) if j.version == version),
                   None)
        if old is None:
            raise NotFound(f'job "{job_id}" in namespace "{namespace}" at version {version} '
                           "not found")
        txn = self._core.begin()
        txn.version_updates.append(old.model_copy(update={"stable": stable}))
        return store.commit(txn)

    def scale(self, namespace: str, job_id: str, group_name: str, count: int,
              enforce_index: int | None = None) -> tuple[Evaluation | None, int, int]:
        current = self._current(namespace, job_id)
        if count < 0:
            raise InvalidInput("scaling action count can't be negative")
        if current.type == "system" and count > 1:
            raise InvalidInput('jobs of type "system" can only be scaled between 0 and 1')
        groups = [g.model_copy(update={"count": count}) if g.name == group_name else g
                  for g in current.task_groups]
        if not any(g.name == group_name for g in current.task_groups):
            raise InvalidInput(f'task group "{group_name}" specified for scaling does not exist '
                               "in job")
        return self._jobs.register(current.model_copy(update={"task_groups": groups}),
                                   enforce_index=enforce_index)

    def evaluate(self, namespace: str, job_id: str) -> tuple[Evaluation, int, int]:
        current = self._current(namespace, job_id)
        if current.periodic is not None or current.is_parameterized():
            raise InvalidInput("can't evaluate periodic or parameterized job")
        core = self._core
        txn = core.begin()
        ev = core.new_eval(current, "job-eval")
        txn.evals.append(ev)
        return ev, core.commit_and_enqueue(txn), current.job_modify_index

    def scale_status(self, namespace: str, job_id: str) -> JobScaleStatus:
        job = self._current(namespace, job_id)
        store = self._core.store
        allocs = [a for a in store.allocs_by_job(namespace, job_id)
                  if a.job is None or a.job.create_index == job.create_index]
        groups = {}
        for group in job.task_groups:
            mine = [a for a in allocs if a.task_group == group.name and not a.terminal()]
            groups[group.name] = TaskGroupScaleStatus(
                desired=group.count or 0, placed=len(mine),
                running=sum(a.client_status == "running" for a in mine))
        return JobScaleStatus(job_id=job.id, namespace=job.namespace,
                              job_create_index=job.create_index,
                              job_modify_index=job.job_modify_index, job_stopped=job.stop,
                              task_groups=groups)

    async def plan(self, job: Job, with_diff: bool) -> JobPlanResponse:
        core = self._core
        return await plan_job(job, jobs=self._jobs, store=core.store, new_id=core.new_id,
                              clock=core.clock, with_diff=with_diff)

    def _current(self, namespace: str, job_id: str) -> Job:
        job = self._core.store.job(namespace, job_id)
        if job is None:
            raise NotFound(f'job "{job_id}" not found')
        return job
