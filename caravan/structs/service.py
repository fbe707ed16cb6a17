"""Services with Nomad's built-in provider: the `service` block of a job, and the
registrations the servers keep for running allocations (`/v1/service/<name>`)."""

from __future__ import annotations

from pydantic import Field

from caravan.structs.base import Struct


class CheckRestart(Struct):
    """`check_restart`: restart the task after `limit` failures in a row, not counting
    those within `grace` of the task's start."""

    limit: int = 0
    grace: int = 0  # ns
    ignore_warnings: bool = False


class ServiceCheck(Struct):
    """A health `check` of a service, run by the client (Nomad's own provider)."""

    name: str = ""
    type: str = ""  # http | tcp | script
    path: str = ""
    protocol: str = ""
    port_label: str = ""
    method: str = ""
    header: dict[str, list[str]] | None = None
    body: str = ""
    command: str = ""
    args: list[str] | None = None
    interval: int = 0  # ns
    timeout: int = 0  # ns
    task_name: str = ""  # the task a group service's script check runs in
    on_update: str = ""
    check_restart: CheckRestart | None = None


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
    checks: list[ServiceCheck] | None = None
    check_restart: CheckRestart | None = None  # the default for its checks


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


class CheckQueryResult(Struct):
    """The latest result of one check (`/v1/client/allocation/<id>/checks`)."""

    id: str = ""
    mode: str = "healthiness"  # readiness when the check's on_update is "ignore"
    status: str = "pending"  # pending | success | failure
    status_code: int = 0
    output: str = ""
    timestamp: int = 0  # unix seconds
    group: str = ""
    task: str = ""
    service: str = ""
    check: str = ""


class ServiceRegistrationStub(Struct):
    service_name: str = ""
    tags: list[str] = Field(default_factory=list)


class ServiceRegistrationListStub(Struct):
    """`GET /v1/services`: a namespace's service names and their tags."""

    namespace: str = ""
    services: list[ServiceRegistrationStub] = Field(default_factory=list)
