"""The client host's usage for `/v1/client/stats`: memory, per-CPU time, disks, uptime.

Read on demand through psutil (what gopsutil is to Nomad). CPU percentages cover the
time since the previous collection (since boot for the first), which is what Nomad's
periodic collector reports between its samples; `CPUTicksConsumed` turns the busy share
into MHz of the node's `cpu.totalcompute`, as Nomad does. Not safe to call from two
threads at once (psutil keeps the previous CPU sample); the HTTP route calls it from
one thread at a time through `collect`.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import psutil

from caravan.structs.hoststats import HostCPUStats, HostDiskStats, HostMemoryStats, HostStats

# Pseudo and in-memory filesystems say nothing about the host's disks (Nomad skips them).
_SKIPPED_FS = frozenset({"tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs",
                         "cgroup", "cgroup2", "nsfs", "autofs"})


class HostStatsCollector:
    def __init__(self, alloc_root: Path) -> None:
        self._alloc_root = alloc_root
        self._lock = asyncio.Lock()

    async def collect(self, total_compute_mhz: float) -> HostStats:
        async with self._lock:
            return await asyncio.to_thread(self._collect, total_compute_mhz)

    def _collect(self, total_compute_mhz: float) -> HostStats:
        cpus = _cpu_stats(total_compute_mhz)
        busy = sum(c.total_percent for c in cpus) / max(len(cpus), 1)
        return HostStats(
            memory=_memory(), cpu=cpus, disk_stats=_disks(),
            alloc_dir_stats=_disk_usage("", str(self._alloc_root)),
            uptime=int(time.time() - psutil.boot_time()), timestamp=time.time_ns(),
            cpu_ticks_consumed=busy / 100 * total_compute_mhz)


def _memory() -> HostMemoryStats:
    mem = psutil.virtual_memory()
    return HostMemoryStats(total=mem.total, available=mem.available, used=mem.used,
                           free=mem.free)


def _cpu_stats(total_compute_mhz: float) -> list[HostCPUStats]:
    shares = psutil.cpu_times_percent(interval=None, percpu=True)
    per_core = total_compute_mhz / max(len(shares), 1)
    return [HostCPUStats(cpu=f"cpu{i}", user=s.user, system=s.system, idle=s.idle,
                         total_percent=100 - s.idle,
                         total_ticks=(100 - s.idle) / 100 * per_core)
            for i, s in enumerate(shares)]


def _disks() -> list[HostDiskStats]:
    found = []
    for part in psutil.disk_partitions(all=False):
        if part.fstype not in _SKIPPED_FS:
            found.append(_disk_usage(part.device, part.mountpoint))
    return found


def _disk_usage(device: str, path: str) -> HostDiskStats:
    try:
        usage = psutil.disk_usage(path)
    except OSError:
        return HostDiskStats(device=device, mountpoint=path)
    return HostDiskStats(device=device, mountpoint=path, size=usage.total, used=usage.used,
                         available=usage.free, used_percent=usage.percent,
                         inodes_used_percent=_inodes_used_percent(path))


def _inodes_used_percent(path: str) -> float:
    st = os.statvfs(path)
    return 0.0 if st.f_files == 0 else (st.f_files - st.f_ffree) / st.f_files * 100
