"""The cgroup an exec task runs in: limits, stats, OOM detection, cleanup; v1 and v2.

    /sys/fs/cgroup/<ctrl>/caravan/<alloc>.<task>        the driver's: limits live here
                                         └── task       runc's leaf (cgroupsPath)

The parent belongs to the driver, so its limits and counters outlive runc, which
removes its leaf when the container exits: that is how an OOM kill is still
visible afterwards (v1: the parent's memory.failcnt; v2: memory.events oom_kill).
CPU shares sit on the parent because shares only weigh siblings against each other.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_V1_LIMITED = ("memory", "cpu", "pids")


@dataclass(frozen=True)
class Limits:
    cpu_shares: int
    memory_bytes: int          # hard limit; 0 = none
    memory_soft_bytes: int     # reservation when memory_max is set; 0 = none
    pids: int


@dataclass(frozen=True)
class CgroupStats:
    rss: int = 0
    cache: int = 0
    swap: int = 0
    usage: int = 0
    max_usage: int = 0
    cpu_total_ns: int = 0
    cpu_user_ns: int = 0
    cpu_system_ns: int = 0
    throttled_periods: int = 0
    throttled_time_ns: int = 0


def detect_version(root: Path = ROOT) -> int | None:
    """2 on a unified hierarchy, 1 when v1 controllers are mounted, None without cgroups."""
    if (root / "cgroup.controllers").exists():
        return 2
    if (root / "memory" / "memory.limit_in_bytes").exists():
        return 1
    return None


class TaskCgroup:
    def __init__(self, name: str, version: int, root: Path = ROOT) -> None:
        self.name = name
        self.version = version
        self.root = root

    @property
    def runc_path(self) -> str:
        return f"/caravan/{self.name}/task"

    def _parent(self, controller: str = "") -> Path:
        base = self.root / controller if controller else self.root
        return base / "caravan" / self.name

    def create(self, limits: Limits) -> None:
        """Make the parent cgroup(s) with the task's limits; idempotent."""
        if self.version == 2:
            self._create_v2(limits)
            return
        for ctrl in _V1_LIMITED:
            self._parent(ctrl).mkdir(parents=True, exist_ok=True)
        mem = self._parent("memory")
        if limits.memory_bytes:
            _write(mem / "memory.limit_in_bytes", limits.memory_bytes)
        if limits.memory_soft_bytes:
            _write(mem / "memory.soft_limit_in_bytes", limits.memory_soft_bytes)
        _try_write(mem / "memory.swappiness", 0)
        _write(self._parent("cpu") / "cpu.shares", max(2, limits.cpu_shares))
        _write(self._parent("pids") / "pids.max", limits.pids)

    def _create_v2(self, limits: Limits) -> None:
        caravan = self.root / "caravan"
        caravan.mkdir(exist_ok=True)
        wanted = {"cpu", "memory", "pids", "cpuset"}
        available = set((self.root / "cgroup.controllers").read_text().split())
        enable = " ".join(f"+{c}" for c in sorted(wanted & available))
        _try_write(self.root / "cgroup.subtree_control", enable)
        _try_write(caravan / "cgroup.subtree_control", enable)
        parent = self._parent()
        parent.mkdir(exist_ok=True)
        _try_write(parent / "cgroup.subtree_control", enable)
        if limits.memory_bytes:
            _write(parent / "memory.max", limits.memory_bytes)
        if limits.memory_soft_bytes:
            _write(parent / "memory.low", limits.memory_soft_bytes)
        _try_write(parent / "memory.swap.max", 0)
        shares = max(2, limits.cpu_shares)
        _write(parent / "cpu.weight", 1 + ((shares - 2) * 9999) // 262142)
        _write(parent / "pids.max", limits.pids)

    def oom_killed(self) -> bool:
        if self.version == 2:
            return _keyed(self._parent() / "memory.events").get("oom_kill", 0) > 0
        return _read_int(self._parent("memory") / "memory.failcnt") > 0

    def stats(self) -> CgroupStats:
        return self._stats_v2() if self.version == 2 else self._stats_v1()

    def _stats_v1(self) -> CgroupStats:
        mem = self._parent("memory")
        ms = _keyed(mem / "memory.stat")
        cpu = self._parent("cpu")
        acct = self.root / "cpuacct" / "caravan" / self.name
        ticks = _keyed(acct / "cpuacct.stat")
        ns_per_tick = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
        throttle = _keyed(cpu / "cpu.stat")
        return CgroupStats(
            rss=ms.get("total_rss", 0), cache=ms.get("total_cache", 0),
            swap=ms.get("total_swap", 0), usage=_read_int(mem / "memory.usage_in_bytes"),
            max_usage=_read_int(mem / "memory.max_usage_in_bytes"),
            cpu_total_ns=_read_int(acct / "cpuacct.usage"),
            cpu_user_ns=ticks.get("user", 0) * ns_per_tick,
            cpu_system_ns=ticks.get("system", 0) * ns_per_tick,
            throttled_periods=throttle.get("nr_throttled", 0),
            throttled_time_ns=throttle.get("throttled_time", 0))

    def _stats_v2(self) -> CgroupStats:
        parent = self._parent()
        ms = _keyed(parent / "memory.stat")
        cpu = _keyed(parent / "cpu.stat")
        return CgroupStats(
            rss=ms.get("anon", 0), cache=ms.get("file", 0),
            swap=_read_int(parent / "memory.swap.current"),
            usage=_read_int(parent / "memory.current"),
            max_usage=_read_int(parent / "memory.peak"),
            cpu_total_ns=cpu.get("usage_usec", 0) * 1000,
            cpu_user_ns=cpu.get("user_usec", 0) * 1000,
            cpu_system_ns=cpu.get("system_usec", 0) * 1000,
            throttled_periods=cpu.get("nr_throttled", 0),
            throttled_time_ns=cpu.get("throttled_usec", 0) * 1000)

    def pids(self) -> list[int]:
        """Every process in the task's cgroup tree (leaf included)."""
        base = self._parent() if self.version == 2 else self._parent("pids")
        found: list[int] = []
        for procs in base.rglob("cgroup.procs") if base.exists() else []:
            found.extend(int(p) for p in procs.read_text().split())
        return found

    def kill_all(self) -> None:
        """SIGKILL whatever is left (orphans of an earlier run, a crashed runc)."""
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def destroy(self) -> None:
        """Remove the leaf and the parent in every hierarchy; missing dirs are fine."""
        hierarchies = [self.root] if self.version == 2 else \
            [p for p in self.root.iterdir() if p.is_dir() and not p.is_symlink()]
        for hierarchy in hierarchies:
            parent = hierarchy / "caravan" / self.name
            for path in (parent / "task", parent):
                try:
                    path.rmdir()
                except (FileNotFoundError, NotADirectoryError):
                    pass
            try:  # the shared top dir goes with the last task
                (hierarchy / "caravan").rmdir()
            except OSError:
                pass


def task_cgroup_names(version: int, root: Path = ROOT) -> set[str]:
    """Names of every task cgroup under `caravan/` (any client's: filter before removing)."""
    pattern = "caravan/*" if version == 2 else "*/caravan/*"
    return {p.name for p in root.glob(pattern) if p.is_dir()}


def _write(path: Path, value: int | str) -> None:
    path.write_text(str(value))


def _try_write(path: Path, value: int | str) -> None:
    # Optional knobs (swappiness, controller delegation) differ between kernels.
    try:
        path.write_text(str(value))
    except OSError:
        pass


def _read_int(path: Path) -> int:
    try:
        text = path.read_text().strip()
    except OSError:
        return 0
    return int(text) if text.isdigit() else 0


def _keyed(path: Path) -> dict[str, int]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    out: dict[str, int] = {}
    for line in lines:
        key, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            out[key] = int(value)
    return out
