"""`client.services`: Nomad's built-in service registrations (`/v1/services`,
`/v1/service/<name>`), and those of one allocation or job."""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.query import QueryMeta, QueryOptions, path_id
from caravan.structs import ServiceRegistration, ServiceRegistrationListStub

Registrations = list[ServiceRegistration]
ServiceList = list[ServiceRegistrationListStub]

_REGISTRATIONS = TypeAdapter(Registrations)
_LIST = TypeAdapter(ServiceList)


class Services(SubAPI):
    def list(self, q: QueryOptions | None = None) -> tuple[ServiceList, QueryMeta]:
        return self._read("/v1/services", _LIST, q)

    def get(self, name: str, q: QueryOptions | None = None) -> tuple[Registrations, QueryMeta]:
        return self._read(f"/v1/service/{path_id(name)}", _REGISTRATIONS, q)

    def delete(self, name: str, reg_id: str, q: QueryOptions | None = None) -> None:
        self._client.write("DELETE", f"/v1/service/{path_id(name)}/{path_id(reg_id)}",
                           None, q)

    def of_alloc(self, alloc_id: str, q: QueryOptions | None = None
                 ) -> tuple[Registrations, QueryMeta]:
        return self._read(f"/v1/allocation/{path_id(alloc_id)}/services", _REGISTRATIONS, q)

    def of_job(self, job_id: str, q: QueryOptions | None = None
               ) -> tuple[Registrations, QueryMeta]:
        return self._read(f"/v1/job/{path_id(job_id)}/services", _REGISTRATIONS, q)
