"""Deployments: reads, and the writes of `/v1/deployment/...` (promote, pause, fail,
allocation health), plus the rollback a failed deployment may ask for.

Callers are authorized before they get here. Each write stores the deployment and,
when the rollout should move on, an evaluation (triggered by "deployment-watcher").
"""

from __future__ import annotations

from caravan.errors import InvalidInput, NotFound
from caravan.server.core import ServerCore
from caravan.server.deployments import progress
from caravan.server.job_endpoint import JobEndpoint, same_spec
from caravan.server.state import Txn
from caravan.structs import (
    AllocDeploymentStatus,
    AllocListStub,
    Deployment,
    DeploymentUpdateResponse,
    Job,
)
from caravan.structs.acl import rfc3339_nano
from caravan.structs.deployment import (
    DESC_FAILED_BY_USER,
    DESC_PAUSED,
    DESC_RUNNING,
    STATUS_PAUSED,
    STATUS_RUNNING,
    no_rollback_description,
    rollback_description,
)

TRIGGER = "deployment-watcher"


class DeploymentEndpoint:
    def __init__(self, core: ServerCore, jobs: JobEndpoint) -> None:
        self._core = core
        self._jobs = jobs

    # ---- reads ---------------------------------------------------------------------------

    def list_deployments(self, namespace: str, prefix: str = "") -> list[Deployment]:
        return [d for d in self._core.store.deployments.all(namespace)
                if d.id.startswith(prefix)]

    def find(self, deployment_id: str) -> Deployment | None:
        return self._core.store.deployments.get(deployment_id)

    def get(self, deployment_id: str) -> Deployment:
        found = self.find(deployment_id)
        if found is None:
            raise NotFound("deployment not found")
        return found

    def allocations(self, deployment_id: str) -> list[AllocListStub]:
        d = self.get(deployment_id)
        allocs = [a for a in self._core.store.allocs_by_job(d.namespace, d.job_id)
                  if a.deployment_id == d.id]
        return [AllocListStub.of(a) for a in sorted(allocs, key=lambda a: a.create_index,
                                                    reverse=True)]

    def by_job(self, namespace: str, job_id: str, *, all_jobs: bool = False) -> list[Deployment]:
        """Newest first; without `all_jobs`, only those of the job as registered now (not of
        an earlier job of the same ID, purged)."""
        store = self._core.store
        job = store.job(namespace, job_id)
        found = store.deployments.by_job(namespace, job_id)
        if job is not None and not all_jobs:
            found = [d for d in found if d.job_create_index == job.create_index]
        return found

    def latest(self, namespace: str, job_id: str) -> Deployment | None:
        return next(iter(self.by_job(namespace, job_id)), None)

    # ---- writes --------------------------------------------------------------------------

    def promote(self, deployment_id: str, groups: list[str] | None) -> DeploymentUpdateResponse:
        """Promote the canaries of `groups` (None: every group); each must have its desired
        canaries healthy (Nomad's check and words)."""
        d = self._active(deployment_id)
        allocs = [a for a in self._core.store.allocs_by_job(d.namespace, d.job_id)
                  if a.deployment_id == d.id and not a.terminal()]
        if not any(s.desired_canaries for s in d.task_groups.values()):
            raise InvalidInput(f'Deployment "{d.id}" has no canaries to promote')
        problems = []
        for name, state in d.task_groups.items():
            if not state.desired_canaries or (groups is not None and name not in groups):
                continue
            have = sum(1 for a in allocs if a.task_group == name and a.deployment_status
                       and a.deployment_status.canary and a.deployment_status.healthy)
            if have < state.desired_canaries:
                problems.append(f'Task group "{name}" has {have}/{state.desired_canaries} '
                                "healthy allocations")
        if problems:
            raise InvalidInput("; ".join(problems))
        return self._store(progress.promoted(d, groups), with_eval=True)

    def pause(self, deployment_id: str, pause: bool) -> DeploymentUpdateResponse:
        d = self._active(deployment_id)
        if pause:
            return self._store(d.model_copy(update={"status": STATUS_PAUSED,
                                                    "status_description": DESC_PAUSED}))
        resumed = d.model_copy(update={"status": STATUS_RUNNING,
                                       "status_description": DESC_RUNNING})
        return self._store(resumed, with_eval=True)

    def fail(self, deployment_id: str) -> DeploymentUpdateResponse:
        return self.fail_with(self._active(deployment_id), DESC_FAILED_BY_USER)

    def set_health(self, deployment_id: str, healthy: list[str],
                   unhealthy: list[str]) -> DeploymentUpdateResponse:
        """Mark allocations healthy or unhealthy by hand (`health_check = "manual"`)."""
        if not healthy and not unhealthy:
            raise InvalidInput("must specify at least one healthy/unhealthy allocation ID")
        d = self._active(deployment_id)
        store = self._core.store
        txn = self._core.begin()
        now = rfc3339_nano(self._core.clock.now_ns())
        for alloc_id, value in [*((i, True) for i in healthy), *((i, False) for i in unhealthy)]:
            alloc = store.alloc(alloc_id)
            if alloc is None or alloc.deployment_id != d.id:
                raise InvalidInput(f'alloc "{alloc_id}" is not part of deployment "{d.id}"')
            status = (alloc.deployment_status or AllocDeploymentStatus()).model_copy(
                update={"healthy": value, "timestamp": now})
            txn.allocs.append(alloc.model_copy(update={"deployment_status": status}))
        return self._commit(d, txn, with_eval=True)

    def fail_with(self, d: Deployment, description: str) -> DeploymentUpdateResponse:
        """Fail `d`; with `auto_revert`, register the job's last stable version again."""
        target = self._revert_target(d) if progress.wants_revert(d) else None
        if progress.wants_revert(d):
            description = (rollback_description(description, target.version) if target
                           else no_rollback_description(description))
        reply = self._store(progress.failed(d, description), with_eval=target is None)
        if target is not None:
            ev, index, _ = self._jobs.register(target.model_copy(update={"stable": False}))
            # A reverted service job always gets an evaluation (only periodic and
            # parameterized jobs register without one).
            reply = reply.model_copy(update={"eval_id": ev.id if ev else "",
                                             "eval_create_index": index,
                                             "reverted_job_version": target.version})
        return reply

    def _revert_target(self, d: Deployment) -> Job | None:
        """The newest stable version before `d`'s, unless it is the same spec as the job
        now (reverting to it would change nothing, over and over)."""
        store = self._core.store
        current = store.job(d.namespace, d.job_id)
        if current is None or current.version != d.job_version:
            return None
        stable = next((j for j in store.job_versions(d.namespace, d.job_id)
                       if j.stable and j.version < d.job_version), None)
        if stable is None or same_spec(stable, current):
            return None
        return stable

    def _active(self, deployment_id: str) -> Deployment:
        d = self.get(deployment_id)
        if not d.active():
            raise InvalidInput(f'Deployment "{d.id}" has terminal status "{d.status}"')
        return d

    def _store(self, d: Deployment, *, with_eval: bool = False) -> DeploymentUpdateResponse:
        return self._commit(d, self._core.begin(), with_eval=with_eval)

    def _commit(self, d: Deployment, txn: Txn, *, with_eval: bool) -> DeploymentUpdateResponse:
        txn.deployments.append(d)
        job = self._core.store.job(d.namespace, d.job_id)
        ev = None
        if with_eval and job is not None and not job.stop:
            ev = self._core.new_eval(job, TRIGGER, deployment_id=d.id)
            txn.evals.append(ev)
        index = self._core.commit_and_enqueue(txn)
        return DeploymentUpdateResponse(eval_id=ev.id if ev else "",
                                        eval_create_index=index if ev else 0,
                                        deployment_modify_index=index, index=index)
