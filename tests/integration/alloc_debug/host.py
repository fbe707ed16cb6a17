"""What a debug copy holds on the host while it runs, read from the host itself."""

from __future__ import annotations

from pathlib import Path

from caravan.client.drivers.mounts import mounts_under
from tests.agents import host_processes
from tests.crash import client_host

CGROUP_ROOT = Path("/sys/fs/cgroup")


def debug_leftovers(data_dir: Path, alloc_id: str, command: str) -> list[str]:
    """Containers, cgroups, work dirs and processes of debug copies of `alloc_id`, and any
    mount below its alloc dir."""
    found = [f"container {c}" for c in client_host.containers(data_dir) if ".debug-" in c]
    found += [f"cgroup {p}" for p in client_host.cgroups({alloc_id}) if ".debug-" in p.name]
    executor = data_dir / "client" / "executor" / alloc_id
    try:  # the agent may remove the dir while we look
        found += [f"dir {p}" for p in executor.iterdir() if ".debug-" in p.name]
    except FileNotFoundError:
        pass
    found += [f"process {pid}" for pid in host_processes(command)]
    found += [f"mount {m}" for m in mounts_under(data_dir / "alloc" / alloc_id)]
    return found


def memory_limit(cgroup_name: str) -> int:
    """The hard memory limit of a task cgroup (v1 or v2), in bytes."""
    v1 = CGROUP_ROOT / "memory" / "caravan" / cgroup_name / "memory.limit_in_bytes"
    path = v1 if v1.exists() else CGROUP_ROOT / "caravan" / cgroup_name / "memory.max"
    return int(path.read_text().strip())
