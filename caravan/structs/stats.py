"""Resource usage as Nomad reports it (`GET /v1/client/allocation/<id>/stats`).

    {"ResourceUsage": {...}, "Tasks": {"<task>": {"ResourceUsage", "Timestamp", "Pids"}},
     "Timestamp": <ns>}

Shared by the client (which fills it) and the api library (which reads it).
"""

from __future__ import annotations

from pydantic import Field

from caravan.structs.base import Struct


class MemoryStats(Struct):
    rss: int = Field(0, alias="RSS")
    cache: int = 0
    swap: int = 0
    mapped_file: int = 0
    usage: int = 0
    max_usage: int = 0
    kernel_usage: int = 0
    kernel_max_usage: int = 0
    measured: list[str] = Field(default_factory=list)


class CpuStats(Struct):
    system_mode: float = 0.0
    user_mode: float = 0.0
    total_ticks: float = 0.0
    throttled_periods: int = 0
    throttled_time: int = 0
    percent: float = 0.0
    measured: list[str] = Field(default_factory=list)


class ResourceUsage(Struct):
    memory_stats: MemoryStats = Field(default_factory=MemoryStats)
    cpu_stats: CpuStats = Field(default_factory=CpuStats, alias="CpuStats")
    device_stats: list[dict[str, object]] = Field(default_factory=list)



class TaskResourceUsage(Struct):
    resource_usage: ResourceUsage = Field(default_factory=ResourceUsage)
    timestamp: int = 0
    pids: dict[str, ResourceUsage] | None = None


class AllocResourceUsage(Struct):
    resource_usage: ResourceUsage = Field(default_factory=ResourceUsage)
    tasks: dict[str, TaskResourceUsage] = Field(default_factory=dict)
    timestamp: int = 0
