"""`/v1/jobs/statuses` (Nomad 1.8): each job with what its status view needs at once.

A job's allocations (their group, client status, node, deployment health), the sum
of its groups' counts, its latest deployment, or for a periodic or parameterized job
its children's statuses. Newest-modified first, paginated by modify index as Nomad's
`ModifyIndexTokenizer` does: the next token is the first left-out job's index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caravan.server.core import ServerCore
from caravan.server.state import StateStore
from caravan.structs import Allocation, Deployment, Job

JobKey = tuple[str, str]  # (namespace, job ID)


@dataclass(frozen=True)
class StatusQuery:
    namespaces: Callable[[str], bool]  # which namespaces' jobs may be listed
    include_children: bool = False
    jobs: frozenset[JobKey] = frozenset()  # only these (the POST body), else every job
    per_page: int = 0
    next_token: int | None = None


def job_statuses(store: StateStore, query: StatusQuery) -> tuple[list[dict[str, Any]], str]:
    """One page of statuses and the next page's token ("" when this is the last)."""
    chosen = [j for j in store.jobs() if _selected(j, query)]
    chosen.sort(key=lambda j: (-j.modify_index, j.namespace, j.id))
    if query.next_token is not None:
        chosen = [j for j in chosen if j.modify_index <= query.next_token]
    per_page = len(query.jobs) if query.jobs else query.per_page
    token = ""
    if per_page > 0 and len(chosen) > per_page:
        token = str(chosen[per_page].modify_index)
        chosen = chosen[:per_page]
    return [_status(store, j) for j in chosen], token


def _selected(job: Job, query: StatusQuery) -> bool:
    if not query.namespaces(job.namespace):
        return False
    if query.jobs:
        return (job.namespace, job.id) in query.jobs and \
            (query.include_children or not job.parent_id)
    return query.include_children or not job.parent_id


def _status(store: StateStore, job: Job) -> dict[str, Any]:
    found: dict[str, Any] = {
        "ID": job.id, "Namespace": job.namespace, "Name": job.name, "Type": job.type,
        "NodePool": job.node_pool, "Datacenters": job.datacenters, "Priority": job.priority,
        "Version": job.version, "SubmitTime": job.submit_time,
        "ModifyIndex": job.modify_index, "Allocs": None,
        "GroupCountSum": sum(g.count for g in job.task_groups), "ChildStatuses": None,
        "ParentID": job.parent_id, "LatestDeployment": None, "Stop": job.stop,
        "IsPack": "pack.name" in (job.meta or {}), "Status": job.status,
    }
    if job.parameterized_job is not None or job.periodic is not None:
        found["ChildStatuses"] = [c.status for c in store.jobs(job.namespace)
                                  if c.parent_id == job.id]
        return found
    allocs = store.allocs_by_job(job.namespace, job.id)
    if allocs:
        found["Allocs"] = [_alloc(a) for a in sorted(allocs, key=lambda a: a.create_index)]
    latest = store.deployments.latest(job.namespace, job.id)
    if latest is not None:
        found["LatestDeployment"] = _deployment(latest)
    return found


def _alloc(alloc: Allocation) -> dict[str, Any]:
    health = alloc.deployment_status
    return {
        "ID": alloc.id, "Group": alloc.task_group, "ClientStatus": alloc.client_status,
        "NodeID": alloc.node_id,
        "DeploymentStatus": {"Canary": bool(health and health.canary),
                             "Healthy": health.healthy if health else None},
        "JobVersion": alloc.job.version if alloc.job is not None else 0,
        "FollowupEvalID": alloc.followup_eval_id, "HasPausedTask": False,
    }


def _deployment(d: Deployment) -> dict[str, Any]:
    canaried = [s for s in d.task_groups.values() if s.desired_canaries > 0]
    return {
        "ID": d.id, "IsActive": d.active(), "JobVersion": d.job_version, "Status": d.status,
        "StatusDescription": d.status_description,
        "AllAutoPromote": bool(canaried) and all(s.auto_promote for s in canaried),
        "RequiresPromotion": d.requires_promotion(),
    }


class JobStatusesEndpoint:
    def __init__(self, core: ServerCore) -> None:
        self._core = core

    def page(self, query: StatusQuery) -> tuple[list[dict[str, Any]], str]:
        return job_statuses(self._core.store, query)
