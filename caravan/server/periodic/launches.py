"""The launch record of a periodic job, written in the transaction that registers the job
or one of its children, so the record and the child can never disagree after a crash."""

from __future__ import annotations

from datetime import datetime, timezone

from caravan.clock import NS_PER_SECOND
from caravan.server.state import StateStore, Txn
from caravan.server.state.txn import job_key
from caravan.structs import Job
from caravan.structs.periodic import PERIODIC_SUFFIX, PeriodicLaunch, rfc3339


def from_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / NS_PER_SECOND, tz=timezone.utc)


def launch_time_of(child_id: str) -> datetime | None:
    """`nightly/periodic-1700000000` -> its launch time; None for any other ID."""
    _, found, unix = child_id.rpartition(PERIODIC_SUFFIX)
    if not found or not unix.isdigit():
        return None
    return datetime.fromtimestamp(int(unix), tz=timezone.utc)


def last_launch(store: StateStore, job: Job) -> datetime:
    """When `job` last launched (its registration counts as the first launch)."""
    record = store.periodic_launches.get(job.namespace, job.id)
    if record is not None:
        return record.launch_time()
    return from_ns(job.submit_time)


def put(txn: Txn, job: Job, launch: datetime) -> None:
    txn.periodic_launches[job_key(job.namespace, job.id)] = PeriodicLaunch(
        id=job.id, namespace=job.namespace, launch=rfc3339(launch))


def record_registration(store: StateStore, job: Job, txn: Txn, now: datetime) -> None:
    """A newly active periodic job counts its registration as a launch (so a server down
    at its first launch time catches up once); a periodic child moves its parent's."""
    if job.is_periodic_active() and store.periodic_launches.get(job.namespace, job.id) is None:
        put(txn, job, now)
    if not job.parent_id:
        return
    parent = store.job(job.namespace, job.parent_id)
    launched = launch_time_of(job.id)
    if parent is not None and parent.periodic is not None \
            and not parent.is_parameterized() and launched is not None:
        put(txn, parent, launched)


def forget(store: StateStore, namespace: str, job_id: str, txn: Txn) -> None:
    """A purged job's record goes with it."""
    if store.periodic_launches.get(namespace, job_id) is not None:
        txn.periodic_launches[job_key(namespace, job_id)] = None
