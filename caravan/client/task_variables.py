"""Variables as a task reads them (what `nomadVar`, `nomadVarList` and `nomadVarExists`
need): from a server, presenting the task's workload identity, so a task reads only
what its identity may (its `nomad/jobs/...` paths, and what policies grant).

    await variables.read(alloc, task, "nomad/jobs/web")            -> (Variable | None, index)
    await variables.read(alloc, task, path, index=i, wait_s=300)   blocks until a change
    await variables.list(alloc, task, "nomad/jobs/")               -> ([VariableMetadata], index)

The namespace is the allocation's. A missing variable is None (not an error); a path
the identity may not read raises PermissionDenied.
"""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.client.identity import TaskIdentities
from caravan.client.rpc import ServerRPC
from caravan.errors import NotFound
from caravan.structs import Allocation
from caravan.structs.variables import Variable, VariableMetadata

_METADATA = TypeAdapter(list[VariableMetadata])


class TaskVariables:
    def __init__(self, rpc: ServerRPC, identities: TaskIdentities) -> None:
        self._rpc = rpc
        self._identities = identities

    async def read(self, alloc: Allocation, task: str, path: str, *, index: int = 0,
                   wait_s: float = 0.0) -> tuple[Variable | None, int]:
        try:
            reply = await self._get(alloc, task, f"/v1/var/{path}", {}, index, wait_s)
        except NotFound:
            return None, index
        return Variable.model_validate(reply[0]), reply[1]

    async def list(self, alloc: Allocation, task: str, prefix: str = "", *, index: int = 0,
                   wait_s: float = 0.0) -> tuple[list[VariableMetadata], int]:
        body, new_index = await self._get(alloc, task, "/v1/vars", {"prefix": prefix}, index,
                                          wait_s)
        return _METADATA.validate_python(body or []), new_index

    async def _get(self, alloc: Allocation, task: str, path: str, params: dict[str, str],
                   index: int, wait_s: float) -> tuple[object, int]:
        token = await self._identities.token(alloc.id, task)
        params = {**params, "namespace": alloc.namespace}
        if index > 0:
            params.update(index=str(index), wait=f"{int(wait_s * 1000)}ms")
        reply = await self._rpc.as_task(token, path, params, wait_s)
        return reply.json(), int(reply.headers.get("X-Nomad-Index", "0") or 0)
