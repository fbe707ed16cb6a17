"""A client host's resource usage as Nomad reports it (`GET /v1/client/stats`).

    {"Memory": {...}, "CPU": [{"CPU": "cpu0", ...}], "DiskStats": [...],
     "AllocDirStats": {...}, "DeviceStats": [], "Uptime": <s>, "Timestamp": <ns>,
     "CPUTicksConsumed": <MHz in use>}
"""

from __future__ import annotations

from pydantic import Field

from caravan.structs.base import Struct


class HostMemoryStats(Struct):
    total: int = 0
    available: int = 0
    used: int = 0
    free: int = 0


class HostCPUStats(Struct):
    cpu: str = Field("", alias="CPU")
    user: float = 0.0
    system: float = 0.0
    idle: float = 0.0
    total_percent: float = 0.0
    total_ticks: float = 0.0


class HostDiskStats(Struct):
    device: str = ""
    mountpoint: str = ""
    size: int = 0
    used: int = 0
    available: int = 0
    used_percent: float = 0.0
    inodes_used_percent: float = 0.0


class HostStats(Struct):
    memory: HostMemoryStats = Field(default_factory=HostMemoryStats)
    cpu: list[HostCPUStats] = Field(default_factory=list, alias="CPU")
    disk_stats: list[HostDiskStats] = Field(default_factory=list)
    alloc_dir_stats: HostDiskStats = Field(default_factory=HostDiskStats)
    device_stats: list[dict[str, object]] = Field(default_factory=list)
    uptime: int = 0
    timestamp: int = 0
    cpu_ticks_consumed: float = Field(0.0, alias="CPUTicksConsumed")
