"""The leader's periodic launcher: launches each active periodic job's children on time.

It keeps no schedule of its own: every pass reads the jobs and their launch records
from the store (`launches.py`), so a restarted server resumes where the store says.

    due = next cron time after the job's last launch <= now
      on time (late by < LATE_S):  launch as of that cron time
      later (the server was down): launch once as of now, skipping the missed ones
    a child `<job>/periodic-<unix>` that exists already is not launched again; with
    `prohibit_overlap` and a child still running, the launch is skipped (and recorded
    as done, so it is not caught up later).

Each launch is one transaction: the child, its evaluation and the parent's record.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from caravan.errors import CaravanError, InvalidInput, NotFound
from caravan.server.core import ServerCore
from caravan.server.job_endpoint import JobEndpoint
from caravan.server.periodic import children, launches
from caravan.structs import Evaluation, Job

log = logging.getLogger(__name__)

# A wake-up this late still launches as of the cron time; later means a missed launch.
LATE_S = 5.0
# Even with nothing due the loop looks again this often (a clock step, a missed wake).
IDLE_S = 30.0
# After a failed write (a full disk), the next try.
RETRY_S = 1.0
_TABLES = ("jobs", "periodic_launch")


class PeriodicDispatcher:
    def __init__(self, core: ServerCore, jobs: JobEndpoint) -> None:
        self._core = core
        self._jobs = jobs

    async def run(self) -> None:
        store = self._core.store
        loop = asyncio.get_running_loop()
        while True:
            seen = store.table_index(*_TABLES)
            try:
                wait_s = self.launch_due()
            except CaravanError as e:
                log.warning("periodic launch failed: %s; retrying", e)
                wait_s = RETRY_S
            began = loop.time()
            await store.wait_for_change(_TABLES, seen, wait_s)
            if store.table_index(*_TABLES) == seen and loop.time() - began < wait_s:
                # Waits end at once when the agent stops (the store released them): sleep
                # instead of spinning until this loop is cancelled.
                await asyncio.sleep(wait_s)

    def launch_due(self) -> float:
        """Launch every job that is due; returns the seconds until the next launch."""
        now = self._now()
        wake = now + timedelta(seconds=IDLE_S)
        for job in self._core.store.jobs("*"):
            if not job.is_periodic_active():
                continue
            assert job.periodic is not None
            due = job.periodic.next_after(launches.last_launch(self._core.store, job))
            if due is None:
                continue
            if due <= now:
                on_time = (now - due).total_seconds() < LATE_S
                self._launch(job, due if on_time else now)
                due = job.periodic.next_after(due if on_time else now)
            if due is not None:
                wake = min(wake, due)
        return max(0.0, (wake - self._now()).total_seconds())

    def force(self, namespace: str, job_id: str) -> tuple[Evaluation | None, int]:
        """`job periodic force`: a child now, whatever the schedule and overlap say."""
        job = self._core.store.job(namespace, job_id)
        if job is None:
            raise NotFound("job not found")
        if job.periodic is None or job.is_parameterized():
            raise InvalidInput("can't force launch non-periodic job")
        if not job.is_periodic_active():
            raise InvalidInput(f'force launch for job "{job_id}" failed: can\'t force run '
                               f'non-tracked job "{job_id}" ({namespace}): it is stopped or '
                               "its periodic block is disabled")
        child = children.periodic_child(job, self._now())
        ev, index, _ = self._jobs.register(child, triggered_by="periodic-job")
        return ev, index

    def _launch(self, job: Job, at: datetime) -> None:
        store = self._core.store
        assert job.periodic is not None
        child = children.periodic_child(job, at)
        if store.job(child.namespace, child.id) is None:
            if not (job.periodic.prohibit_overlap and children.has_running_child(store, job)):
                log.info("launching %s", child.id)
                self._jobs.register(child, triggered_by="periodic-job")
                return
            log.info("skipping launch of %s: prohibit_overlap and a child still runs", job.id)
        # Already launched (before a restart) or skipped: only the record moves on.
        txn = self._core.begin()
        launches.put(txn, job, at)
        store.commit(txn)

    def _now(self) -> datetime:
        return launches.from_ns(self._core.clock.now_ns())
