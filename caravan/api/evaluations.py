"""`client.evaluations`: list and read evaluations and the allocations they placed."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.query import QueryMeta, QueryOptions, merge, path_id
from caravan.structs import AllocListStub, Evaluation

EvalList = list[Evaluation]
AllocStubs = list[AllocListStub]

_EVAL = TypeAdapter(Evaluation)
_EVALS = TypeAdapter(EvalList)
_ALLOCS = TypeAdapter(AllocStubs)
_DELETED = TypeAdapter(dict[str, int])


class Evaluations(SubAPI):
    def list(self, prefix: str = "", q: QueryOptions | None = None) -> tuple[EvalList, QueryMeta]:
        return self._read("/v1/evaluations", _EVALS, merge(q, prefix=prefix))

    def info(self, eval_id: str, q: QueryOptions | None = None) -> tuple[Evaluation, QueryMeta]:
        """One evaluation; with `q.wait_index` this blocks until it changes."""
        return self._read(f"/v1/evaluation/{path_id(eval_id)}", _EVAL, q)

    def allocations(
        self, eval_id: str, q: QueryOptions | None = None
    ) -> tuple[AllocStubs, QueryMeta]:
        return self._read(f"/v1/evaluation/{path_id(eval_id)}/allocations", _ALLOCS, q)

    def delete(self, eval_ids: Sequence[str], q: QueryOptions | None = None) -> int:
        """Delete evaluations by ID (the eval broker must be paused); how many went."""
        body = {"EvalIDs": [*eval_ids]}
        reply = self._write("DELETE", "/v1/evaluations", _DELETED, body, q)
        return int(reply.get("Count", 0))
