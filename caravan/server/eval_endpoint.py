"""Evaluation reads: list, one evaluation, and the allocations it placed.

Callers are authorized before they get here (the HTTP layer's one authorization path).
"""

from __future__ import annotations

from collections.abc import Callable

from caravan.server.core import ServerCore
from caravan.structs import AllocListStub, Evaluation


class EvalEndpoint:
    def __init__(self, core: ServerCore) -> None:
        self._core = core

    def list_evals(self, namespace: str, prefix: str = "",
             visible: Callable[[str], bool] = lambda _ns: True, *, job_id: str = "",
             status: str = "") -> list[Evaluation]:
        """Newest first; `namespace` `*` means every namespace `visible` keeps; `job_id`
        and `status`, when given, must match exactly (Nomad's `job` and `status`)."""
        evals = [e for e in self._core.store.evals() if e.id.startswith(prefix)
                 and namespace in ("*", e.namespace) and visible(e.namespace)
                 and job_id in ("", e.job_id) and status in ("", e.status)]
        evals.sort(key=lambda e: (e.create_index, e.id), reverse=True)
        return evals

    def find(self, eval_id: str) -> Evaluation | None:
        return self._core.store.eval(eval_id)

    def allocations(self, eval_id: str) -> list[AllocListStub]:
        return [AllocListStub.of(a) for a in self._core.store.allocs_by_eval(eval_id)]
