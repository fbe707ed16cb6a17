"""Service registrations (Nomad's built-in provider): the reads and the delete.

Callers are authorized before they get here (the HTTP layer's one authorization path).
"""

from __future__ import annotations

from collections.abc import Callable

from caravan.errors import NotFound
from caravan.server.core import ServerCore
from caravan.structs import (
    ServiceRegistration,
    ServiceRegistrationListStub,
    ServiceRegistrationStub,
)


class ServiceEndpoint:
    def __init__(self, core: ServerCore) -> None:
        self._core = core

    def list_services(self, namespace: str, visible: Callable[[str], bool] = lambda _ns: True
                      ) -> list[ServiceRegistrationListStub]:
        """Per namespace, each service name once with the union of its tags."""
        names: dict[str, dict[str, set[str]]] = {}
        for reg in self._core.store.services.all(namespace):
            if visible(reg.namespace):
                tags = names.setdefault(reg.namespace, {}).setdefault(reg.service_name, set())
                tags.update(reg.tags or [])
        return [ServiceRegistrationListStub(namespace=ns, services=[
                    ServiceRegistrationStub(service_name=name, tags=sorted(tags))
                    for name, tags in sorted(services.items())])
                for ns, services in sorted(names.items())]

    def read_service(self, namespace: str, name: str) -> list[ServiceRegistration]:
        return self._core.store.services.by_name(namespace, name)

    def by_alloc(self, alloc_id: str) -> list[ServiceRegistration]:
        return self._core.store.services.by_alloc(alloc_id)

    def by_job(self, namespace: str, job_id: str) -> list[ServiceRegistration]:
        return self._core.store.services.by_job(namespace, job_id)

    def delete(self, namespace: str, name: str, reg_id: str) -> int:
        core = self._core
        reg = core.store.services.get(reg_id)
        if reg is None or reg.namespace != namespace or reg.service_name != name:
            raise NotFound("service registration not found")
        txn = core.begin()
        txn.services[reg_id] = None
        return core.store.commit(txn)
