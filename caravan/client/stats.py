"""Nomad's resource-usage shapes for `GET /v1/client/allocation/<id>/stats`.

    {"ResourceUsage": {...}, "Tasks": {"<task>": {"ResourceUsage", "Timestamp", "Pids"}},
     "Timestamp": <ns>}
"""

from __future__ import annotations

from pydantic import Field

from caravan.client.drivers.base import TaskResourceUsage
from caravan.structs import Struct


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

    @classmethod
    def of(cls, sample: TaskResourceUsage) -> ResourceUsage:
        return cls(
            memory_stats=MemoryStats(
                rss=sample.rss_bytes, cache=sample.cache_bytes, swap=sample.swap_bytes,
                usage=sample.usage_bytes, max_usage=sample.max_usage_bytes,
                measured=sample.memory_measured),
            cpu_stats=CpuStats(system_mode=sample.cpu_system_percent,
                               user_mode=sample.cpu_user_percent, percent=sample.cpu_percent,
                               throttled_periods=sample.throttled_periods,
                               throttled_time=sample.throttled_time_ns,
                               measured=sample.cpu_measured))

    def plus(self, other: ResourceUsage) -> ResourceUsage:
        mem, cpu = self.memory_stats, self.cpu_stats
        return ResourceUsage(
            memory_stats=MemoryStats(rss=mem.rss + other.memory_stats.rss,
                                     cache=mem.cache + other.memory_stats.cache,
                                     swap=mem.swap + other.memory_stats.swap,
                                     usage=mem.usage + other.memory_stats.usage,
                                     max_usage=mem.max_usage + other.memory_stats.max_usage,
                                     measured=mem.measured or other.memory_stats.measured),
            cpu_stats=CpuStats(system_mode=cpu.system_mode + other.cpu_stats.system_mode,
                               user_mode=cpu.user_mode + other.cpu_stats.user_mode,
                               percent=cpu.percent + other.cpu_stats.percent,
                               throttled_periods=(cpu.throttled_periods
                                                  + other.cpu_stats.throttled_periods),
                               throttled_time=cpu.throttled_time + other.cpu_stats.throttled_time,
                               measured=cpu.measured or other.cpu_stats.measured))


class TaskResourceUsageReport(Struct):
    resource_usage: ResourceUsage = Field(default_factory=ResourceUsage)
    timestamp: int = 0
    pids: dict[str, ResourceUsage] | None = None


class AllocResourceUsage(Struct):
    resource_usage: ResourceUsage = Field(default_factory=ResourceUsage)
    tasks: dict[str, TaskResourceUsageReport] = Field(default_factory=dict)
    timestamp: int = 0

    @classmethod
    def of(cls, samples: dict[str, TaskResourceUsage], now_ns: int) -> AllocResourceUsage:
        tasks = {name: TaskResourceUsageReport(resource_usage=ResourceUsage.of(s),
                                               timestamp=s.timestamp_ns)
                 for name, s in samples.items()}
        total = ResourceUsage()
        for report in tasks.values():
            total = total.plus(report.resource_usage)
        return cls(resource_usage=total, tasks=tasks, timestamp=now_ns)
