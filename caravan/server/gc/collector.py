"""The leader's garbage collector: every `job_gc_interval`, delete what `collect` finds.

Runs only on the leader (its deletes are the cluster's writes); `force()` is
`/v1/system/gc`: the same pass with every threshold at zero. Deletes are written in
transactions of at most `BATCH` rows, as Nomad splits its reap requests, so a large
backlog never makes one oversized etcd transaction; a failed write (a full disk) is
logged and the next pass tries again, since `collect` reads the store afresh.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TypeVar

from caravan.config.agent import ServerConfig
from caravan.errors import CaravanError
from caravan.server.core import ServerCore
from caravan.server.gc.collect import Garbage, Thresholds, collect
from caravan.server.periodic import launches

log = logging.getLogger(__name__)

BATCH = 512
_T = TypeVar("_T")


@dataclass(frozen=True)
class GCSettings:
    """The server's GC configuration, from `server { *_gc_threshold job_gc_interval }`."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    interval_s: float = 300.0

    @classmethod
    def of(cls, server: ServerConfig) -> GCSettings:
        def ns(seconds: float) -> int:
            return int(seconds * 1e9)
        return cls(Thresholds(job=ns(server.job_gc_threshold), eval=ns(server.eval_gc_threshold),
                              batch_eval=ns(server.batch_eval_gc_threshold),
                              deployment=ns(server.deployment_gc_threshold),
                              node=ns(server.node_gc_threshold)),
                   interval_s=server.job_gc_interval)


class GarbageCollector:
    def __init__(self, core: ServerCore, settings: GCSettings) -> None:
        self._core = core
        self._settings = settings

    async def run(self) -> None:
        """The leader's loop; ends only when cancelled (on losing the lead or stopping)."""
        while True:
            await asyncio.sleep(self._settings.interval_s)
            try:
                self.collect(self._settings.thresholds)
            except CaravanError as e:
                log.warning("garbage collection failed: %s; the next pass tries again", e)

    def force(self) -> Garbage:
        """Collect everything terminal now, whatever its age (`caravan system gc`)."""
        return self.collect(Thresholds.forced())

    def collect(self, thresholds: Thresholds) -> Garbage:
        garbage = collect(self._core.store, thresholds, self._core.clock.now_ns())
        if garbage:
            log.info("garbage collection: %d jobs, %d evaluations, %d allocations, "
                     "%d deployments, %d nodes", len(garbage.jobs), len(garbage.evals),
                     len(garbage.allocs), len(garbage.deployments), len(garbage.nodes))
            self._reap(garbage)
        return garbage

    def _reap(self, garbage: Garbage) -> None:
        # Allocations and evaluations first, then the deployments and the jobs they
        # belong to: a pass cut short leaves a job with fewer rows, never rows without
        # their job.
        for chunk in _chunks(garbage.allocs):
            self._commit(alloc_deletes=chunk)
        for chunk in _chunks(garbage.evals):
            self._commit(eval_deletes=chunk)
        for chunk in _chunks(garbage.deployments):
            self._commit(deployment_deletes=chunk)
        for chunk in _chunks(garbage.nodes):
            self._commit(node_deletes=chunk)
        for jobs in _chunks(garbage.jobs):
            txn = self._core.begin()
            for namespace, job_id in jobs:
                txn.job_deletes.append((namespace, job_id))
                launches.forget(self._core.store, namespace, job_id, txn)
            self._core.store.commit(txn)

    def _commit(self, *, alloc_deletes: list[str] | None = None,
                eval_deletes: list[str] | None = None,
                deployment_deletes: list[str] | None = None,
                node_deletes: list[str] | None = None) -> None:
        txn = self._core.begin()
        txn.node_deletes = node_deletes or []
        txn.alloc_deletes = alloc_deletes or []
        txn.eval_deletes = eval_deletes or []
        txn.deployment_deletes = deployment_deletes or []
        self._core.store.commit(txn)


def _chunks(items: list[_T]) -> list[list[_T]]:
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
