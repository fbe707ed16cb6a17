"""What a template reads from the cluster, fetched from the servers: one function per
kind of dependency, each a blocking query that returns once the data changed past
`index` (or after `wait_s`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol
from urllib.parse import quote

from pydantic import TypeAdapter, ValidationError

import asyncio

from caravan.client.rpc import ClusterReads, ServerUnavailable
from caravan.client.template.deps import Dep
from caravan.client.template.nomad_vars import NomadVarMeta, VariableData
from caravan.errors import CaravanError, NotFound
from caravan.structs import ServiceRegistration, ServiceRegistrationListStub

_REGS = TypeAdapter(list[ServiceRegistration])
_STUBS = TypeAdapter(list[ServiceRegistrationListStub])
# A missing variable answers 404 without an index to block on: it is asked again this often.
_MISSING_POLL_S = 1.0


class TemplateSource(Protocol):
    async def fetch(self, dep: Dep, namespace: str, index: int, wait_s: float,
                    token: str | None = None) -> tuple[object, int]: ...


class AsTask:
    """A source whose every read presents the task's workload identity, as Nomad's
    template runner does: Variables by the task's implicit access, services of its
    namespace."""

    def __init__(self, source: TemplateSource, token: Callable[[], Awaitable[str]]) -> None:
        self.source = source
        self.token = token

    async def fetch(self, dep: Dep, namespace: str, index: int, wait_s: float,
                    token: str | None = None) -> tuple[object, int]:
        try:
            mine = await self.token()
        except CaravanError as err:
            raise ServerUnavailable(f"no workload identity for the task: {err}") from err
        return await self.source.fetch(dep, namespace, index, wait_s, mine)


class ServerSource:
    def __init__(self, reads: ClusterReads) -> None:
        self.reads = reads

    async def fetch(self, dep: Dep, namespace: str, index: int, wait_s: float,
                    token: str | None = None) -> tuple[object, int]:
        params = {"namespace": dep.namespace or namespace, "index": str(index),
                  "wait": f"{int(wait_s * 1000)}ms"}
        try:
            if dep.kind == "service":
                body, new = await self.reads.get(f"/v1/service/{quote(dep.key, safe='')}",
                                                 params, wait_s, token)
                return _REGS.validate_python(body or []), new
            if dep.kind == "services":
                body, new = await self.reads.get("/v1/services", params, wait_s, token)
                return _STUBS.validate_python(body or []), new
            if dep.kind == "var":
                return await self._variable(dep, params, index, wait_s, token)
            if dep.kind == "var_list":
                body, new = await self.reads.get("/v1/vars", {**params, "prefix": dep.key},
                                                 wait_s, token)
                return [_meta(m) for m in body or []], new
        except (ValidationError, KeyError, TypeError, ValueError) as err:
            raise ServerUnavailable(f"malformed answer for {dep.kind} {dep.key}: {err}") from err
        raise ValueError(f"unknown template dependency {dep}")

    async def _variable(self, dep: Dep, params: dict[str, str], index: int,
                        wait_s: float, token: str | None) -> tuple[object, int]:
        try:
            body, new = await self.reads.get(f"/v1/var/{quote(dep.key, safe='/')}", params,
                                             wait_s, token)
        except NotFound:
            if wait_s > 0:
                await asyncio.sleep(min(wait_s, _MISSING_POLL_S))
            return None, index
        items = body.get("Items") or {}
        return VariableData(_meta(body), {str(k): str(v) for k, v in items.items()}), new


def _meta(body: dict[str, object]) -> NomadVarMeta:
    def number(key: str) -> int:
        value = body.get(key, 0)
        return int(value) if isinstance(value, (int, float, str)) else 0
    return NomadVarMeta(Namespace=str(body.get("Namespace", "")), Path=str(body["Path"]),
                        CreateIndex=number("CreateIndex"), ModifyIndex=number("ModifyIndex"),
                        CreateTime=number("CreateTime"), ModifyTime=number("ModifyTime"))
