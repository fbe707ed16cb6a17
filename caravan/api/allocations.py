"""`client.allocations`: list, read, stop, signal, restart and stats of allocations."""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.query import QueryMeta, QueryOptions, go_bool, merge, path_id
from caravan.structs import Allocation, AllocListStub, AllocStopResponse, CheckQueryResult
from caravan.structs.stats import AllocResourceUsage

AllocStubs = list[AllocListStub]

_ALLOC = TypeAdapter(Allocation)
_ALLOCS = TypeAdapter(AllocStubs)
_STOP = TypeAdapter(AllocStopResponse)
_CHECKS = TypeAdapter(dict[str, CheckQueryResult])
_STATS = TypeAdapter(AllocResourceUsage)
_ANY = TypeAdapter(object)


class Allocations(SubAPI):
    def list(self, prefix: str = "", q: QueryOptions | None = None) -> tuple[AllocStubs, QueryMeta]:
        """Allocation stubs whose ID starts with `prefix` (an even number of hex digits)."""
        return self._read("/v1/allocations", _ALLOCS, merge(q, prefix=prefix))

    def info(self, alloc_id: str, q: QueryOptions | None = None) -> tuple[Allocation, QueryMeta]:
        """The full allocation, with its Job embedded."""
        return self._read(f"/v1/allocation/{path_id(alloc_id)}", _ALLOC, q)

    def stop(
        self, alloc_id: str, *, reschedule: bool = False, no_shutdown_delay: bool = False,
        q: QueryOptions | None = None,
    ) -> AllocStopResponse:
        """Stop the allocation; the response names the evaluation that replaces it."""
        params: dict[str, str] = {}
        if reschedule:
            params["reschedule"] = go_bool(True)
        if no_shutdown_delay:
            params["no_shutdown_delay"] = go_bool(True)
        path = f"/v1/allocation/{path_id(alloc_id)}/stop"
        return self._write("POST", path, _STOP, None, merge(q, **params))

    def signal(
        self, alloc_id: str, signal: str, task: str = "", q: QueryOptions | None = None
    ) -> None:
        """Send `signal` (e.g. SIGHUP) to one task, or to every task when `task` is empty."""
        body = {"Task": task, "Signal": signal}
        self._write("POST", f"/v1/client/allocation/{path_id(alloc_id)}/signal", _ANY, body, q)

    def restart(
        self, alloc_id: str, task: str = "", *, all_tasks: bool = False,
        q: QueryOptions | None = None,
    ) -> None:
        """Restart one task, the running tasks (no `task`), or every task (`all_tasks`)."""
        body: dict[str, object] = {"TaskName": task}
        if all_tasks:
            body["AllTasks"] = True
        self._write("POST", f"/v1/client/allocation/{path_id(alloc_id)}/restart", _ANY, body, q)

    def stats(
        self, alloc_id: str, q: QueryOptions | None = None
    ) -> tuple[AllocResourceUsage, QueryMeta]:
        return self._read(f"/v1/client/allocation/{path_id(alloc_id)}/stats", _STATS, q)

    def checks(
        self, alloc_id: str, q: QueryOptions | None = None
    ) -> tuple[dict[str, CheckQueryResult], QueryMeta]:
        """The latest result of each of the allocation's health checks, by check ID."""
        return self._read(f"/v1/client/allocation/{path_id(alloc_id)}/checks", _CHECKS, q)
