"""The last launch of each periodic job, so that a restarted server neither launches a
child twice nor skips one silently (Nomad's `periodic_launch` table).

    periodic_launch   namespace \\x00 job ID -> PeriodicLaunch

A periodic job's row is written when it is first registered (its registration time
counts as a launch) and in the same transaction as each child it launches; it goes
when the job is purged.
"""

from __future__ import annotations

from caravan.server.state.backend import Change
from caravan.server.state.txn import job_key
from caravan.structs.periodic import PeriodicLaunch

TABLE = "periodic_launch"


class PeriodicLaunchTable:
    def __init__(self) -> None:
        self._by_job: dict[str, PeriodicLaunch] = {}

    def get(self, namespace: str, job_id: str) -> PeriodicLaunch | None:
        return self._by_job.get(job_key(namespace, job_id))

    def load(self, rows: dict[str, dict[str, str]]) -> None:
        for key, raw in rows.get(TABLE, {}).items():
            self._by_job[key] = PeriodicLaunch.model_validate_json(raw)

    def stamp(self, writes: dict[str, PeriodicLaunch | None], index: int) -> None:
        for key, launch in writes.items():
            if launch is not None:
                old = self._by_job.get(key)
                launch.create_index = old.create_index if old else index
                launch.modify_index = index

    def change(self, writes: dict[str, PeriodicLaunch | None], change: Change) -> None:
        for key, launch in writes.items():
            if launch is None:
                change.delete(TABLE, key)
            else:
                change.put(TABLE, key, launch.model_dump_json(by_alias=True))

    def apply(self, writes: dict[str, PeriodicLaunch | None]) -> set[str]:
        for key, launch in writes.items():
            if launch is None:
                self._by_job.pop(key, None)
            else:
                self._by_job[key] = launch
        return {TABLE} if writes else set()
