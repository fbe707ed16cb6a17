"""`client.deployments`: list and read deployments, and promote, pause, resume or fail one;
a job's deployments. Nomad's paths: the action comes before the deployment's ID."""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.query import QueryMeta, QueryOptions, merge, path_id
from caravan.structs import AllocListStub, Deployment, DeploymentUpdateResponse

DeploymentList = list[Deployment]  # (`list` is a method name below)
AllocStubs = list[AllocListStub]
GroupNames = list[str]

_ONE = TypeAdapter(Deployment)
_MAYBE = TypeAdapter(Deployment | None)
_MANY = TypeAdapter(DeploymentList)
_ALLOCS = TypeAdapter(AllocStubs)
_UPDATED = TypeAdapter(DeploymentUpdateResponse)


class Deployments(SubAPI):
    def list(self, prefix: str = "",
             q: QueryOptions | None = None) -> tuple[DeploymentList, QueryMeta]:
        return self._read("/v1/deployments", _MANY, merge(q, prefix=prefix))

    def info(self, deployment_id: str,
             q: QueryOptions | None = None) -> tuple[Deployment, QueryMeta]:
        """One deployment; with `q.wait_index` this blocks until it changes."""
        return self._read(f"/v1/deployment/{path_id(deployment_id)}", _ONE, q)

    def allocations(self, deployment_id: str,
                    q: QueryOptions | None = None) -> tuple[AllocStubs, QueryMeta]:
        return self._read(f"/v1/deployment/allocations/{path_id(deployment_id)}", _ALLOCS, q)

    def of_job(self, job_id: str, q: QueryOptions | None = None
               ) -> tuple[DeploymentList, QueryMeta]:
        return self._read(f"/v1/job/{path_id(job_id)}/deployments", _MANY, q)

    def latest_of_job(self, job_id: str, q: QueryOptions | None = None
                      ) -> tuple[Deployment | None, QueryMeta]:
        return self._read(f"/v1/job/{path_id(job_id)}/deployment", _MAYBE, q)

    def promote(self, deployment_id: str, groups: GroupNames | None = None,
                q: QueryOptions | None = None) -> DeploymentUpdateResponse:
        """Promote the canaries of `groups`; None: of every group."""
        body = {"DeploymentID": deployment_id, "All": groups is None, "Groups": groups}
        return self._action("promote", deployment_id, body, q)

    def pause(self, deployment_id: str, pause: bool,
              q: QueryOptions | None = None) -> DeploymentUpdateResponse:
        """Pause (True) or resume (False)."""
        return self._action("pause", deployment_id,
                            {"DeploymentID": deployment_id, "Pause": pause}, q)

    def fail(self, deployment_id: str,
             q: QueryOptions | None = None) -> DeploymentUpdateResponse:
        return self._action("fail", deployment_id, {"DeploymentID": deployment_id}, q)

    def _action(self, action: str, deployment_id: str, body: dict[str, object],
                q: QueryOptions | None) -> DeploymentUpdateResponse:
        return self._write("PUT", f"/v1/deployment/{action}/{path_id(deployment_id)}",
                           _UPDATED, body, q)
