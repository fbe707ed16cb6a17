"""What a template reads from the cluster, fetched from the servers: one function per
kind of dependency, each a blocking query that returns once the data changed past
`index` (or after `wait_s`)."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from pydantic import TypeAdapter, ValidationError

from caravan.client.rpc import ClusterReads, ServerUnavailable
from caravan.client.template.nomad_funcs import Dep
from caravan.structs import ServiceRegistration, ServiceRegistrationListStub

_REGS = TypeAdapter(list[ServiceRegistration])
_STUBS = TypeAdapter(list[ServiceRegistrationListStub])


class TemplateSource(Protocol):
    async def fetch(self, dep: Dep, namespace: str, index: int,
                    wait_s: float) -> tuple[object, int]: ...


class ServerSource:
    def __init__(self, reads: ClusterReads) -> None:
        self.reads = reads

    async def fetch(self, dep: Dep, namespace: str, index: int,
                    wait_s: float) -> tuple[object, int]:
        params = {"namespace": namespace, "index": str(index), "wait": f"{int(wait_s * 1000)}ms"}
        try:
            if dep.kind == "service":
                body, new = await self.reads.get(f"/v1/service/{quote(dep.key, safe='')}",
                                                 params, wait_s)
                return _REGS.validate_python(body or []), new
            if dep.kind == "services":
                body, new = await self.reads.get("/v1/services", params, wait_s)
                return _STUBS.validate_python(body or []), new
        except ValidationError as err:
            raise ServerUnavailable(f"malformed answer for {dep.kind} {dep.key}: {err}") from err
        raise ValueError(f"unknown template dependency {dep}")
