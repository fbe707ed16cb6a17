"""Allocation writes from users: stop (the scheduler then places a replacement)."""

from __future__ import annotations

from caravan.errors import NotFound
from caravan.server.core import ServerCore
from caravan.structs import Evaluation


class AllocEndpoint:
    def __init__(self, core: ServerCore) -> None:
        self._core = core

    def stop(self, alloc_id: str) -> tuple[Evaluation | None, int]:
        core = self._core
        alloc = core.store.alloc(alloc_id)
        if alloc is None:
            raise NotFound("allocation not found")
        txn = core.begin()
        txn.allocs.append(alloc.model_copy(update={
            "desired_status": "stop", "desired_description": "alloc was stopped by user"}))
        job = core.store.job(alloc.namespace, alloc.job_id)
        ev = None
        if job is not None:
            ev = core.new_eval(job, "alloc-stop")
            txn.evals.append(ev)
        return ev, core.commit_and_enqueue(txn)
