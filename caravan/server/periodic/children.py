"""Children of periodic and parameterized jobs: how one is derived from its parent, and
which of a parent's children still run."""

from __future__ import annotations

from datetime import datetime

from caravan.server import summary
from caravan.server.state import StateStore
from caravan.structs import Job
from caravan.structs.job import JobChildrenSummary
from caravan.structs.periodic import PERIODIC_SUFFIX


def periodic_child(parent: Job, launch: datetime) -> Job:
    """The job launched for `parent` at `launch`: `<parent>/periodic-<unix time>`, a plain
    batch job (no periodic block) that remembers its parent."""
    child_id = f"{parent.id}{PERIODIC_SUFFIX}{int(launch.timestamp())}"
    return parent.model_copy(deep=True, update={
        "id": child_id, "name": child_id, "parent_id": parent.id, "periodic": None,
        "status": "pending", "status_description": "", "version": 0, "stable": False,
        "create_index": 0, "modify_index": 0, "job_modify_index": 0})


def children(store: StateStore, parent: Job, suffix: str = "") -> list[Job]:
    prefix = parent.id + suffix
    return [j for j in store.jobs(parent.namespace)
            if j.parent_id == parent.id and j.id.startswith(prefix)]


def has_running_child(store: StateStore, parent: Job) -> bool:
    """Whether a periodic child still has an unfinished evaluation or a live allocation
    (what `prohibit_overlap` waits for)."""
    for child in children(store, parent, PERIODIC_SUFFIX):
        if any(not e.terminal() for e in store.evals_by_job(child.namespace, child.id)):
            return True
        if any(not a.terminal() for a in store.allocs_by_job(child.namespace, child.id)):
            return True
    return False


def children_summary(store: StateStore, parent: Job) -> JobChildrenSummary:
    """Nomad's `Children` of a job summary: its children by status."""
    out = JobChildrenSummary()
    for child in children(store, parent):
        status = summary.job_status(child, store.allocs_by_job(child.namespace, child.id),
                                    store.evals_by_job(child.namespace, child.id))
        bucket = status if status in ("pending", "running") else "dead"
        setattr(out, bucket, getattr(out, bucket) + 1)
    return out
