"""What a crashed client left on the host, read from /proc, runc and cgroupfs; and its cleanup.

Tasks are tied to their allocation by what the host says, not by what the agent
reports: a raw_exec task's working directory is its task dir under the data dir,
an exec task's cgroup is named after its allocation. Executors are counted by their
command line, which names their state dir under the data dir.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections import defaultdict
from pathlib import Path

from caravan.client.drivers.mounts import mounts_under, unmount

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _pids() -> list[int]:
    return [int(n) for n in os.listdir("/proc") if n.isdigit()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _is_live(pid: int) -> bool:
    try:
        data = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return data[data.rindex(b")") + 2:].split()[0] not in (b"Z", b"X")


def executors(data_dir: Path) -> list[int]:
    """Live executor processes whose state dir is under `data_dir`."""
    marker = f" {data_dir}/client/executor/"
    return [p for p in _pids() if "executor.py" in (c := _cmdline(p)) and marker in c
            and _is_live(p)]


def cwd(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def _cgroup_alloc(pid: int) -> str | None:
    """The allocation an exec task's cgroup (`/caravan/<alloc>-<task>/task`) names."""
    try:
        text = Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        path = line.split(":", 2)[2]
        if path.startswith("/caravan/"):
            return path.split("/")[2][:36]
    return None


def parent(pid: int) -> int:
    try:
        data = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return 0
    return int(data[data.rindex(b")") + 2:].split()[1])


def task_processes(data_dir: Path, command: str) -> dict[str, list[int]]:
    """alloc ID -> live processes running `command` that belong to an allocation of this
    data dir: raw_exec ones by working directory, exec ones by cgroup."""
    alloc_root = f"{data_dir}/alloc/"
    known = {p.name for p in (data_dir / "alloc").iterdir()} if (data_dir / "alloc").is_dir() \
        else set()
    found: dict[str, list[int]] = defaultdict(list)
    for pid in _pids():
        if _cmdline(pid) != command or not _is_live(pid):
            continue
        workdir = cwd(pid)
        if workdir.startswith(alloc_root):
            found[workdir[len(alloc_root):].split("/")[0]].append(pid)
        elif (alloc := _cgroup_alloc(pid)) is not None and alloc in known:
            found[alloc].append(pid)
    return dict(found)


def runc_root(data_dir: Path) -> Path:
    return data_dir / "client" / "drivers" / "exec" / "runc"


def containers(data_dir: Path) -> list[str]:
    root = runc_root(data_dir)
    if not root.is_dir():
        return []
    done = subprocess.run(["runc", "--root", str(root), "list", "--format", "json"],
                          capture_output=True, text=True, check=False)
    return [c["id"] for c in json.loads(done.stdout or "null") or []]


def cgroups(alloc_ids: set[str]) -> list[Path]:
    """Task cgroups (any hierarchy) named after one of `alloc_ids`. The agent may remove a
    `caravan` cgroup while we list it: what vanished is not left over."""
    found: list[Path] = []
    for parent in CGROUP_ROOT.glob("*/caravan"):
        try:
            found += [p for p in parent.iterdir() if p.name[:36] in alloc_ids]
        except FileNotFoundError:
            continue
    return found


def leftovers(data_dir: Path, alloc_ids: set[str], command: str) -> list[str]:
    """Everything of these allocations still on the host: processes, executors,
    containers, cgroups, mounts under the data dir."""
    found = [f"task {pid} of {a}" for a, pids in task_processes(data_dir, command).items()
             for pid in pids]
    found += [f"executor {pid}" for pid in executors(data_dir)]
    found += [f"container {c}" for c in containers(data_dir)]
    found += [f"cgroup {p}" for p in cgroups(alloc_ids)]
    # The data dir (the test's tmpfs) and the client's alloc root are the client's own.
    found += [f"mount {m}" for m in mounts_under(data_dir) if m not in (data_dir, data_dir / "alloc")]
    return found


def clean_up(data_dir: Path, alloc_ids: set[str], command: str) -> None:
    """Remove what a failed test left: task processes, executors, containers, cgroups."""
    for pids in task_processes(data_dir, command).values():
        for pid in pids:
            _kill(pid)
    for pid in executors(data_dir):
        _kill(pid)
    root = runc_root(data_dir)
    for cid in containers(data_dir):
        subprocess.run(["runc", "--root", str(root), "delete", "--force", cid],
                       capture_output=True, check=False)
    for path in sorted(cgroups(alloc_ids), reverse=True):
        for leaf in (path / "task", path):
            try:
                leaf.rmdir()
            except OSError:
                pass
    for point in mounts_under(data_dir):
        if point != data_dir:
            unmount(point)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
