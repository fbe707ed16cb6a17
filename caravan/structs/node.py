"""Node (a client machine) and its resources, drivers and host volumes."""

from __future__ import annotations

from pydantic import Field

from caravan.structs.base import Struct
from caravan.structs.drain import DrainMetadata, DrainStrategy
from caravan.structs.job import NetworkResource

NODE_STATUSES = ("initializing", "ready", "down", "disconnected")


class DriverInfo(Struct):
    attributes: dict[str, str] | None = None
    detected: bool = False
    healthy: bool = False
    health_description: str = ""
    update_time: str = "0001-01-01T00:00:00Z"


class NodeCpuResources(Struct):
    cpu_shares: int = Field(0, alias="CpuShares")
    total_cpu_cores: int = Field(0, alias="TotalCpuCores")
    reservable_cpu_cores: list[int] | None = Field(None, alias="ReservableCpuCores")


class NodeMemoryResources(Struct):
    memory_mb: int = 0


class NodeDiskResources(Struct):
    disk_mb: int = 0


class NodeResources(Struct):
    cpu: NodeCpuResources = Field(default_factory=NodeCpuResources, alias="Cpu")
    memory: NodeMemoryResources = Field(default_factory=NodeMemoryResources)
    disk: NodeDiskResources = Field(default_factory=NodeDiskResources)
    networks: list[NetworkResource] | None = None  # the addresses ports are given on
    min_dynamic_port: int = 0
    max_dynamic_port: int = 0


class LegacyResources(Struct):
    """The pre-0.9 `Resources` shape Nomad still returns beside NodeResources."""

    cpu: int = 0
    memory_mb: int = 0
    disk_mb: int = 0


class ClientHostVolume(Struct):
    name: str = ""
    path: str = ""
    read_only: bool = False


class Node(Struct):
    id: str = ""
    secret_id: str = Field("", exclude=True)
    name: str = ""
    datacenter: str = "dc1"
    node_class: str = ""
    node_pool: str = "default"
    http_addr: str = ""
    tls_enabled: bool = False
    attributes: dict[str, str] = Field(default_factory=dict)
    meta: dict[str, str] = Field(default_factory=dict)
    resources: LegacyResources = Field(default_factory=LegacyResources)
    reserved: LegacyResources = Field(default_factory=LegacyResources)
    node_resources: NodeResources = Field(default_factory=NodeResources)
    reserved_resources: NodeResources = Field(default_factory=NodeResources)
    drivers: dict[str, DriverInfo] = Field(default_factory=dict)
    host_volumes: dict[str, ClientHostVolume] | None = None
    links: dict[str, str] | None = None
    cgroup_parent: str = ""
    drain: bool = False
    drain_strategy: DrainStrategy | None = None
    last_drain: DrainMetadata | None = None
    scheduling_eligibility: str = "eligible"
    status: str = "initializing"
    status_description: str = ""
    status_updated_at: int = 0
    version: str = ""
    create_index: int = 0
    modify_index: int = 0

    def driver_ok(self, name: str) -> bool:
        """Nomad's driver feasibility: detected and healthy, or a truthy legacy attribute."""
        info = self.drivers.get(name)
        if info is not None:
            return info.detected and info.healthy
        return self.attributes.get(f"driver.{name}", "").lower() in ("1", "true")

    def ready(self) -> bool:
        return self.status == "ready" and self.scheduling_eligibility == "eligible" and not self.drain


class NodeListStub(Struct):
    address: str
    id: str
    attributes: dict[str, str] | None = None
    datacenter: str
    name: str
    node_class: str
    node_pool: str
    version: str
    drain: bool
    last_drain: DrainMetadata | None = None
    scheduling_eligibility: str
    status: str
    status_description: str
    drivers: dict[str, DriverInfo]
    create_index: int
    modify_index: int
