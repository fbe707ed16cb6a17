"""The deployment watcher: moves every active deployment on as its allocations report
their health (see `progress.py` for the rules), and notices missed progress deadlines.

It wakes on any change to allocations or deployments, and at least once a second for the
deadlines; a step that changes nothing writes nothing, so its own writes settle. Owned
by the server's supervisor: `run()` ends only by cancellation.
"""

from __future__ import annotations

import logging

from caravan.server.change_loop import run_on_changes
from caravan.server.core import ServerCore
from caravan.server.deployments import progress
from caravan.server.deployments.endpoint import TRIGGER, DeploymentEndpoint
from caravan.server.state import Txn
from caravan.structs import Deployment

log = logging.getLogger(__name__)

_TABLES = ("allocs", "deployments", "jobs")
_DEADLINE_TICK_S = 1.0


class DeploymentWatcher:
    def __init__(self, core: ServerCore, endpoint: DeploymentEndpoint) -> None:
        self._core = core
        self._endpoint = endpoint

    async def run(self) -> None:
        await run_on_changes(self._core.store, _TABLES, _DEADLINE_TICK_S, self.advance,
                             "deployment watcher")

    def advance(self) -> None:
        """One pass over every active deployment."""
        store = self._core.store
        for d in [d for d in store.deployments.all() if d.active()]:
            job = store.job(d.namespace, d.job_id)
            if job is None or job.version != d.job_version or job.stop:
                continue  # the scheduler cancels it with its next evaluation
            self._advance(d)

    def _advance(self, d: Deployment) -> None:
        store, core = self._core.store, self._core
        now = core.clock.now_ns()
        step = progress.step(d, store.allocs_by_job(d.namespace, d.job_id), now)
        if step.failed_because:
            log.info("deployment %s failed: %s", d.id, step.failed_because)
            self._endpoint.fail_with(step.deployment, step.failed_because)
            return
        if not step.changed:
            return
        txn = core.begin()
        txn.deployments.append(step.deployment)
        if step.deployment.status == "successful":
            self._mark_stable(step.deployment, txn)
        job = store.job(d.namespace, d.job_id)
        if step.wants_eval and job is not None:
            txn.evals.append(core.new_eval(job, TRIGGER, deployment_id=d.id))
        core.commit_and_enqueue(txn)

    def _mark_stable(self, d: Deployment, txn: Txn) -> None:
        store = self._core.store
        version = next((j for j in store.job_versions(d.namespace, d.job_id)
                        if j.version == d.job_version), None)
        if version is not None and not version.stable:
            txn.version_updates.append(version.model_copy(update={"stable": True}))
