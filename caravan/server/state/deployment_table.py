"""The deployments of the state store.

    deployments   deployment ID -> Deployment

Written by plan_apply (a deployment the scheduler created or cancelled) and by the
deployment watcher and endpoints (health counts, status, promotion). Read by the
scheduler (the job's latest deployment gates its rolling update) and by
`/v1/deployments`. A purged job's deployments stay until the server's garbage collection
(`server/gc/`) removes them, as in Nomad.
"""

from __future__ import annotations

from caravan.server.state.backend import Change
from caravan.structs.deployment import Deployment

TABLE = "deployments"


class DeploymentTable:
    def __init__(self) -> None:
        self._by_id: dict[str, Deployment] = {}
        self._latest: dict[tuple[str, str], Deployment] = {}  # (namespace, job) -> newest

    def get(self, deployment_id: str) -> Deployment | None:
        return self._by_id.get(deployment_id)

    def all(self, namespace: str | None = None) -> list[Deployment]:
        found = (d for d in self._by_id.values() if namespace in (None, "*", d.namespace))
        return sorted(found, key=lambda d: d.create_index, reverse=True)

    def by_job(self, namespace: str, job_id: str) -> list[Deployment]:
        """Newest first."""
        return [d for d in self.all(namespace) if d.job_id == job_id]

    def latest(self, namespace: str, job_id: str) -> Deployment | None:
        return self._latest.get((namespace, job_id))

    def latest_by_job(self) -> dict[tuple[str, str], Deployment]:
        """A copy, for a scheduler snapshot."""
        return dict(self._latest)

    def load(self, rows: dict[str, dict[str, str]]) -> None:
        for raw in rows.get(TABLE, {}).values():
            self._put(Deployment.model_validate_json(raw))

    def stamp(self, writes: list[Deployment], index: int, now_ns: int) -> None:
        for deployment in writes:
            old = self._by_id.get(deployment.id)
            deployment.create_index = old.create_index if old else index
            deployment.create_time = old.create_time if old else (deployment.create_time
                                                                  or now_ns)
            deployment.modify_index = index
            deployment.modify_time = now_ns

    def change(self, writes: list[Deployment], deletes: list[str], change: Change) -> None:
        for deployment in writes:
            change.put(TABLE, deployment.id, deployment.model_dump_json(by_alias=True))
        for deployment_id in deletes:
            change.delete(TABLE, deployment_id)

    def apply(self, writes: list[Deployment], deletes: list[str]) -> set[str]:
        for deployment in writes:
            self._put(deployment)
        for deployment_id in deletes:
            gone = self._by_id.pop(deployment_id, None)
            if gone is not None:
                key = (gone.namespace, gone.job_id)
                self._latest.pop(key, None)
                rest = self.by_job(*key)
                if rest:
                    self._latest[key] = rest[0]
        return {TABLE} if writes or deletes else set()

    def _put(self, deployment: Deployment) -> None:
        self._by_id[deployment.id] = deployment
        key = (deployment.namespace, deployment.job_id)
        newest = self._latest.get(key)
        if newest is None or newest.id == deployment.id or \
                newest.create_index <= deployment.create_index:
            self._latest[key] = deployment
