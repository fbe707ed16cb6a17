"""The service registrations of the state store (Nomad's built-in service provider).

    services   registration ID -> ServiceRegistration

Registrations belong to allocations: clients report an allocation's registrations
with its status, and the node endpoint writes the difference; an allocation that
ends takes its registrations with it. Reads are indexed by name and by allocation.
"""

from __future__ import annotations

from caravan.server.state.backend import Change
from caravan.structs import ServiceRegistration

TABLE = "services"


class ServiceTables:
    def __init__(self) -> None:
        self._by_id: dict[str, ServiceRegistration] = {}
        self._by_alloc: dict[str, dict[str, ServiceRegistration]] = {}

    # ---- reads ---------------------------------------------------------------------------

    def get(self, reg_id: str) -> ServiceRegistration | None:
        return self._by_id.get(reg_id)

    def all(self, namespace: str | None = None) -> list[ServiceRegistration]:
        regs = (r for r in self._by_id.values() if namespace in (None, "*", r.namespace))
        return sorted(regs, key=lambda r: (r.namespace, r.service_name, r.id))

    def by_name(self, namespace: str, name: str) -> list[ServiceRegistration]:
        return [r for r in self.all(namespace) if r.service_name == name]

    def by_alloc(self, alloc_id: str) -> list[ServiceRegistration]:
        return sorted(self._by_alloc.get(alloc_id, {}).values(), key=lambda r: r.id)

    def by_job(self, namespace: str, job_id: str) -> list[ServiceRegistration]:
        return [r for r in self.all(namespace) if r.job_id == job_id]

    # ---- the store's side ----------------------------------------------------------------

    def load(self, rows: dict[str, dict[str, str]]) -> None:
        for raw in rows.get(TABLE, {}).values():
            self._put(ServiceRegistration.model_validate_json(raw))

    def stamp(self, writes: dict[str, ServiceRegistration | None], index: int) -> None:
        for reg_id, reg in writes.items():
            if reg is not None:
                old = self._by_id.get(reg_id)
                reg.create_index = old.create_index if old else index
                reg.modify_index = index

    def change(self, writes: dict[str, ServiceRegistration | None], change: Change) -> None:
        for reg_id, reg in writes.items():
            if reg is None:
                change.delete(TABLE, reg_id)
            else:
                change.put(TABLE, reg_id, reg.model_dump_json(by_alias=True))

    def apply(self, writes: dict[str, ServiceRegistration | None]) -> set[str]:
        for reg_id, reg in writes.items():
            old = self._by_id.pop(reg_id, None)
            if old is not None:
                self._by_alloc.get(old.alloc_id, {}).pop(reg_id, None)
            if reg is not None:
                self._put(reg)
        return {TABLE} if writes else set()

    def _put(self, reg: ServiceRegistration) -> None:
        self._by_id[reg.id] = reg
        self._by_alloc.setdefault(reg.alloc_id, {})[reg.id] = reg
