"""Services with Nomad's built-in provider: the `service` block of a job, and the
registrations the servers keep for running allocations (`/v1/service/<name>`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from caravan.structs.base import Struct


class Service(Struct):
    """A `service` block in a group or a task."""

    name: str = ""
    tags: list[str] | None = None
    canary_tags: list[str] | None = None
    port_label: str = ""
    address_mode: str = ""
    address: str = ""
    meta: dict[str, str] | None = None
    provider: str = ""
    task_name: str = ""  # which task's port and address a group service uses
    on_update: str = ""
    checks: list[dict[str, Any]] | None = None  # health checks: not run by caravan yet


class ServiceRegistration(Struct):
    """One instance of a service: an allocation's address and port for it."""

    id: str = ""
    service_name: str = ""
    namespace: str = "default"
    node_id: str = ""
    datacenter: str = ""
    job_id: str = ""
    alloc_id: str = ""
    tags: list[str] | None = None
    address: str = ""
    port: int = 0
    create_index: int = 0
    modify_index: int = 0

    def same_as(self, other: ServiceRegistration) -> bool:
        """Equal but for the indexes the store sets."""
        return self.model_dump(exclude={"create_index", "modify_index"}) == other.model_dump(
            exclude={"create_index", "modify_index"})


class ServiceRegistrationStub(Struct):
    service_name: str = ""
    tags: list[str] = Field(default_factory=list)


class ServiceRegistrationListStub(Struct):
    """`GET /v1/services`: a namespace's service names and their tags."""

    namespace: str = ""
    services: list[ServiceRegistrationStub] = Field(default_factory=list)
