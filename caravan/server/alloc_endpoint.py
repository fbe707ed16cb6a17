"""Allocations: reads, and stop from users (the scheduler then places a replacement).

Callers are authorized before they get here (the HTTP layer's one authorization path).
"""

from __future__ import annotations

from collections.abc import Callable

from caravan.errors import NotFound
from caravan.server.core import ServerCore
from caravan.structs import Allocation, Evaluation


class AllocEndpoint:
    def __init__(self, core: ServerCore) -> None:
        self._core = core

    def list_allocs(self, namespace: str, prefix: str = "",
             visible: Callable[[str], bool] = lambda _ns: True) -> list[Allocation]:
        """Newest first; `namespace` `*` means every namespace `visible` keeps."""
        allocs = [a for a in self._core.store.allocs() if a.id.startswith(prefix)
                  and namespace in ("*", a.namespace) and visible(a.namespace)]
        allocs.sort(key=lambda a: a.create_index, reverse=True)
        return allocs

    def find(self, alloc_id: str) -> Allocation | None:
        return self._core.store.alloc(alloc_id)

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
