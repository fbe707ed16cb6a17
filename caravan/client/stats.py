"""Building Nomad's resource-usage report of an allocation from its tasks' samples."""

from __future__ import annotations

from caravan.client.drivers.base import TaskResourceUsage as Sample
from caravan.structs.stats import (
    AllocResourceUsage,
    CpuStats,
    MemoryStats,
    ResourceUsage,
    TaskResourceUsage,
)


def usage_of(sample: Sample) -> ResourceUsage:
    return ResourceUsage(
        memory_stats=MemoryStats(
            rss=sample.rss_bytes, cache=sample.cache_bytes, swap=sample.swap_bytes,
            usage=sample.usage_bytes, max_usage=sample.max_usage_bytes,
            measured=sample.memory_measured),
        cpu_stats=CpuStats(system_mode=sample.cpu_system_percent,
                           user_mode=sample.cpu_user_percent, percent=sample.cpu_percent,
                           throttled_periods=sample.throttled_periods,
                           throttled_time=sample.throttled_time_ns,
                           measured=sample.cpu_measured))


def add_usage(a: ResourceUsage, b: ResourceUsage) -> ResourceUsage:
    mem, other_mem = a.memory_stats, b.memory_stats
    cpu, other_cpu = a.cpu_stats, b.cpu_stats
    return ResourceUsage(
        memory_stats=MemoryStats(rss=mem.rss + other_mem.rss, cache=mem.cache + other_mem.cache,
                                 swap=mem.swap + other_mem.swap,
                                 usage=mem.usage + other_mem.usage,
                                 max_usage=mem.max_usage + other_mem.max_usage,
                                 measured=mem.measured or other_mem.measured),
        cpu_stats=CpuStats(system_mode=cpu.system_mode + other_cpu.system_mode,
                           user_mode=cpu.user_mode + other_cpu.user_mode,
                           percent=cpu.percent + other_cpu.percent,
                           throttled_periods=cpu.throttled_periods + other_cpu.throttled_periods,
                           throttled_time=cpu.throttled_time + other_cpu.throttled_time,
                           measured=cpu.measured or other_cpu.measured))


def alloc_usage(samples: dict[str, Sample], now_ns: int) -> AllocResourceUsage:
    """The allocation's report: each task's usage and their sum."""
    tasks = {name: TaskResourceUsage(resource_usage=usage_of(s), timestamp=s.timestamp_ns)
             for name, s in samples.items()}
    total = ResourceUsage()
    for report in tasks.values():
        total = add_usage(total, report.resource_usage)
    return AllocResourceUsage(resource_usage=total, tasks=tasks, timestamp=now_ns)
