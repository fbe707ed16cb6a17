"""Derived job views: status and summary, computed from allocations and evaluations."""

from __future__ import annotations

from caravan.structs import (
    Allocation,
    Evaluation,
    Job,
    JobListStub,
    JobSummary,
    JobSummaryCounts,
)


def _of_this_job(job: Job, allocs: list[Allocation]) -> list[Allocation]:
    """Allocs of this registration of the job ID: those of a purged job that had the same
    ID stay in the store until collected, but are not this job's (Nomad keys its summary
    and `/v1/job/<id>/allocations` on the job's CreateIndex likewise)."""
    return [a for a in allocs if a.job is None or a.job.create_index == job.create_index]


def job_status(job: Job, allocs: list[Allocation], evals: list[Evaluation]) -> str:
    """Nomad's job status: running while any alloc lives, pending while work is queued;
    a periodic or parameterized job runs (launches children) until it is stopped."""
    if job.is_template():
        return "dead" if job.stop else "running"
    allocs = _of_this_job(job, allocs)
    if any(not a.terminal() for a in allocs):
        return "running"
    if not job.stop and any(e.status in ("pending", "blocked") for e in evals):
        return "pending"
    if job.stop or allocs:
        return "dead"
    return "pending"


def job_summary(job: Job, allocs: list[Allocation], evals: list[Evaluation]) -> JobSummary:
    counts = {g.name: JobSummaryCounts() for g in job.task_groups}
    for alloc in _of_this_job(job, allocs):
        c = counts.setdefault(alloc.task_group, JobSummaryCounts())
        status = alloc.client_status
        if status == "pending":
            if alloc.desired_status == "run":
                c.starting += 1
        elif status in ("running", "complete", "failed", "lost", "unknown"):
            setattr(c, status, getattr(c, status) + 1)
    # The newest eval that counted what it could not place; a blocked eval committed in the
    # same transaction shares its index but counts nothing, so it must not win the tie.
    counted = [e for e in evals if e.queued_allocations is not None]
    latest = max(counted, key=lambda e: (e.modify_index, e.create_index, e.id), default=None)
    if latest is not None and latest.queued_allocations and not job.stop:
        for group, queued in latest.queued_allocations.items():
            counts.setdefault(group, JobSummaryCounts()).queued = queued
    return JobSummary(job_id=job.id, namespace=job.namespace, summary=counts,
                      create_index=job.create_index, modify_index=job.modify_index)


def with_status(job: Job, allocs: list[Allocation], evals: list[Evaluation]) -> Job:
    return job.model_copy(update={"status": job_status(job, allocs, evals)})


def list_stub(job: Job, allocs: list[Allocation], evals: list[Evaluation]) -> JobListStub:
    return JobListStub(
        id=job.id, parent_id=job.parent_id, name=job.name, namespace=job.namespace,
        datacenters=job.datacenters, type=job.type, priority=job.priority,
        periodic=job.periodic is not None, parameterized_job=job.is_parameterized(),
        stop=job.stop, status=job_status(job, allocs, evals),
        status_description=job.status_description,
        job_summary=job_summary(job, allocs, evals), create_index=job.create_index,
        modify_index=job.modify_index, job_modify_index=job.job_modify_index,
        submit_time=job.submit_time,
    )
