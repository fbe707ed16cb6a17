"""`client.jobs`: list, register, parse, read and deregister jobs (`/v1/jobs`, `/v1/job/<id>`)."""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.api._base import SubAPI, decode
from caravan.api.query import QueryMeta, QueryOptions, go_bool, merge, path_id
from caravan.structs.diff import JobDiff
from caravan.structs.plan import JobPlanResponse
from caravan.structs import (
    AllocListStub,
    Evaluation,
    Job,
    JobDeregisterResponse,
    JobListStub,
    JobRegisterRequest,
    JobRegisterResponse,
    JobSummary,
)
from caravan.structs.responses import JobDispatchResponse, PeriodicForceResponse

JobStubs = list[JobListStub]
JobList = list[Job]
AllocStubs = list[AllocListStub]
Evaluations = list[Evaluation]

_JOB = TypeAdapter(Job)
_JOBS = TypeAdapter(JobStubs)
_VERSIONS = TypeAdapter(JobList)
_ALLOCS = TypeAdapter(AllocStubs)
_EVALS = TypeAdapter(Evaluations)
_SUMMARY = TypeAdapter(JobSummary)
_REGISTER = TypeAdapter(JobRegisterResponse)
_DEREGISTER = TypeAdapter(JobDeregisterResponse)
_PLAN = TypeAdapter(JobPlanResponse)
_FORCE = TypeAdapter(PeriodicForceResponse)
_DISPATCH = TypeAdapter(JobDispatchResponse)
JobDiffs = list[JobDiff]
_DIFFS = TypeAdapter(JobDiffs)


class Jobs(SubAPI):
    def list(self, prefix: str = "", q: QueryOptions | None = None) -> tuple[JobStubs, QueryMeta]:
        return self._read("/v1/jobs", _JOBS, merge(q, prefix=prefix))

    def register(
        self, job: Job, *, enforce_index: bool = False, job_modify_index: int = 0,
        policy_override: bool = False, preserve_counts: bool = False,
        eval_priority: int = 0, q: QueryOptions | None = None,
    ) -> JobRegisterResponse:
        """Register or update `job`; the response names the evaluation it created."""
        body = JobRegisterRequest(
            job=job, enforce_index=enforce_index, job_modify_index=job_modify_index,
            policy_override=policy_override, preserve_counts=preserve_counts,
            eval_priority=eval_priority,
        ).to_wire()
        return self._write("PUT", "/v1/jobs", _REGISTER, body, q)

    def parse(self, hcl: str, canonicalize: bool = False, variables: str = "") -> Job:
        """Have the agent parse a job file's text (`/v1/jobs/parse`)."""
        body = {"JobHCL": hcl, "Canonicalize": canonicalize, "Variables": variables}
        data = self._client.write("POST", "/v1/jobs/parse", body)
        return decode(_JOB, data, "/v1/jobs/parse")

    def info(self, job_id: str, q: QueryOptions | None = None) -> tuple[Job, QueryMeta]:
        return self._read(f"/v1/job/{path_id(job_id)}", _JOB, q)

    def versions(self, job_id: str, q: QueryOptions | None = None) -> tuple[JobList, QueryMeta]:
        path = f"/v1/job/{path_id(job_id)}/versions"
        data, meta = self._client.query(path, q)
        versions = data.get("Versions") if isinstance(data, dict) else data
        return decode(_VERSIONS, versions or [], path), meta

    def version_diffs(self, job_id: str, q: QueryOptions | None = None
                      ) -> tuple[JobList, JobDiffs, QueryMeta]:
        """The versions, newest first, and each one's diff from the version before it."""
        path = f"/v1/job/{path_id(job_id)}/versions"
        data, meta = self._client.query(path, merge(q, diffs=go_bool(True)))
        versions = decode(_VERSIONS, data.get("Versions") or [], path)
        return versions, decode(_DIFFS, data.get("Diffs") or [], path), meta

    def allocations(
        self, job_id: str, all: bool = False, q: QueryOptions | None = None
    ) -> tuple[AllocStubs, QueryMeta]:
        """The job's allocations; `all` includes those of older job versions."""
        if all:
            q = merge(q, all=go_bool(True))
        return self._read(f"/v1/job/{path_id(job_id)}/allocations", _ALLOCS, q)

    def evaluations(
        self, job_id: str, q: QueryOptions | None = None
    ) -> tuple[Evaluations, QueryMeta]:
        return self._read(f"/v1/job/{path_id(job_id)}/evaluations", _EVALS, q)

    def summary(self, job_id: str, q: QueryOptions | None = None) -> tuple[JobSummary, QueryMeta]:
        return self._read(f"/v1/job/{path_id(job_id)}/summary", _SUMMARY, q)

    def deregister(
        self, job_id: str, purge: bool = False, q: QueryOptions | None = None
    ) -> JobDeregisterResponse:
        """Stop the job (it stays, with Stop=true) or, with `purge`, delete it."""
        if purge:
            q = merge(q, purge=go_bool(True))
        return self._write("DELETE", f"/v1/job/{path_id(job_id)}", _DEREGISTER, None, q)

    def revert(self, job_id: str, version: int, enforce_prior_version: int | None = None,
               q: QueryOptions | None = None) -> JobRegisterResponse:
        """Register version `version`'s spec again, as a new version."""
        body = {"JobID": job_id, "JobVersion": version,
                "EnforcePriorVersion": enforce_prior_version}
        return self._write("PUT", f"/v1/job/{path_id(job_id)}/revert", _REGISTER, body, q)

    def scale(self, job_id: str, group: str, count: int, message: str = "",
              q: QueryOptions | None = None) -> JobRegisterResponse:
        body = {"Count": count, "Message": message,
                "Target": {"Namespace": (q.namespace if q else None) or "", "Job": job_id,
                           "Group": group}}
        return self._write("POST", f"/v1/job/{path_id(job_id)}/scale", _REGISTER, body, q)

    def evaluate(self, job_id: str, force_reschedule: bool = False,
                 q: QueryOptions | None = None) -> JobRegisterResponse:
        body = {"JobID": job_id, "EvalOptions": {"ForceReschedule": force_reschedule}}
        return self._write("PUT", f"/v1/job/{path_id(job_id)}/evaluate", _REGISTER, body, q)

    def plan(self, job: Job, diff: bool = True, policy_override: bool = False,
             q: QueryOptions | None = None) -> JobPlanResponse:
        """What registering `job` would do (a scheduler dry run), and its diff."""
        body = {"Job": job.to_wire(), "Diff": diff, "PolicyOverride": policy_override}
        return self._write("PUT", f"/v1/job/{path_id(job.id)}/plan", _PLAN, body, q)

    def periodic_force(self, job_id: str, q: QueryOptions | None = None) -> PeriodicForceResponse:
        """Launch a periodic job's child now (`/v1/job/<id>/periodic/force`)."""
        return self._write("PUT", f"/v1/job/{path_id(job_id)}/periodic/force", _FORCE, None, q)

    def dispatch(self, job_id: str, payload: str = "", meta: dict[str, str] | None = None,
                 id_prefix_template: str = "",
                 q: QueryOptions | None = None) -> JobDispatchResponse:
        """Dispatch a parameterized job; `payload` is base64, as on Nomad's wire."""
        body = {"JobID": job_id, "Payload": payload or None, "Meta": meta or None,
                "IdPrefixTemplate": id_prefix_template}
        return self._write("PUT", f"/v1/job/{path_id(job_id)}/dispatch", _DISPATCH, body, q)
