"""The OCI bundle of an exec task: `config.json` for runc, built from the task's settings.

The container's root is the task dir itself. The host dirs of `chroot_env` are
read-only bind mounts (nothing is copied or hard-linked), `/alloc` is the shared
alloc dir with `/alloc/logs` read-only, and `/dev`, `/proc`, `/sys` are what an
OCI runtime provides, laid out as nomad-facts §1.7 describes. Every mount a task can
write to is nosuid,nodev (only `/dev` keeps device nodes, and the task cannot write
there). Pure: paths in, dict out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caravan.client.drivers.exec.capabilities import oci_names
from caravan.client.drivers.exec.resolve import Mount

_RO_BIND = ["rbind", "ro", "nosuid", "nodev"]
_RW_BIND = ["rbind", "rw", "nosuid", "nodev"]
_BASE_MOUNTS: list[dict[str, Any]] = [
    {"destination": "/proc", "type": "proc", "source": "proc",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
     "options": ["nosuid", "noexec", "nodev", "ro"]},
]


@dataclass(frozen=True)
class BundleSpec:
    argv: list[str]
    env: dict[str, str]
    cwd: str
    uid: int
    gid: int
    additional_gids: list[int]
    capabilities: frozenset[str]
    root_user: bool
    task_dir: Path
    shared_dir: Path           # the alloc's shared dir, seen as /alloc
    chroot: list[Mount]
    volumes: list[Mount]
    pid_private: bool
    ipc_private: bool
    cgroups_path: str
    hostname: str
    cpuset_cpus: str = ""
    extra_masked: list[str] = field(default_factory=list)
    terminal: bool = False     # runc makes the process's pty (an `alloc debug` copy with -t)
    # > 0: the container mounts its own private `/secrets` tmpfs of this size (a debug copy,
    # which must leave nothing mounted on the host); 0: the driver mounted it in the task dir.
    secrets_tmpfs_mb: int = 0


def oci_config(spec: BundleSpec) -> dict[str, Any]:
    return {
        "ociVersion": "1.0.2",
        "process": _process(spec),
        "root": {"path": str(spec.task_dir), "readonly": False},
        "hostname": spec.hostname,
        "mounts": _mounts(spec),
        "linux": _linux(spec),
    }


def write_bundle(bundle_dir: Path, spec: BundleSpec) -> Path:
    bundle_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = bundle_dir / "config.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(oci_config(spec), indent=1))
    tmp.replace(path)
    return bundle_dir


def _process(spec: BundleSpec) -> dict[str, Any]:
    caps = oci_names(spec.capabilities)
    if spec.root_user:
        # Nomad's legacy root set: effective directly, nothing ambient or inheritable.
        capabilities = {"bounding": caps, "permitted": caps, "effective": caps,
                        "inheritable": [], "ambient": []}
    else:
        # Ambient makes the set effective for a non-root user after exec.
        capabilities = {"bounding": caps, "permitted": caps, "inheritable": caps,
                        "ambient": caps, "effective": caps}
    user: dict[str, Any] = {"uid": spec.uid, "gid": spec.gid}
    if spec.additional_gids:
        user["additionalGids"] = spec.additional_gids
    return {
        "terminal": spec.terminal,
        "user": user,
        "args": spec.argv,
        "env": [f"{k}={v}" for k, v in sorted(spec.env.items())],
        "cwd": spec.cwd,
        "capabilities": capabilities,
        # setuid binaries (say, in a downloaded artifact) must not gain privileges.
        "noNewPrivileges": True,
        "oomScoreAdj": 0,
    }


def _mounts(spec: BundleSpec) -> list[dict[str, Any]]:
    # runc binds the root with the flags of the host mount it lives on; binding the task
    # dir over it first makes the root, and so local/, tmp/, private/ and whatever a task
    # writes at /, nosuid,nodev (every later mount lands on top of this one).
    root = {"destination": "/", "type": "bind", "source": str(spec.task_dir),
            "options": _RW_BIND}
    mounts = [root, *(dict(m) for m in _BASE_MOUNTS)]
    for m in spec.chroot:
        mounts.append({"destination": str(m.task), "type": "bind", "source": str(m.host),
                       "options": _RO_BIND})
    shared = spec.shared_dir
    mounts.append({"destination": "/alloc", "type": "bind", "source": str(shared),
                   "options": _RW_BIND})
    mounts.append({"destination": "/alloc/logs", "type": "bind", "source": str(shared / "logs"),
                   "options": _RO_BIND})
    if spec.secrets_tmpfs_mb > 0:  # as the driver's own secrets mount (drivers/mounts.py)
        mounts.append({"destination": "/secrets", "type": "tmpfs", "source": "tmpfs",
                       "options": ["nosuid", "nodev", "noexec", "mode=700",
                                   f"size={spec.secrets_tmpfs_mb}m", f"uid={spec.uid}",
                                   f"gid={spec.gid}"]})
    for m in spec.volumes:
        mounts.append({"destination": str(m.task), "type": "bind", "source": str(m.host),
                       "options": _RO_BIND if m.read_only else _RW_BIND})
    return mounts


def _linux(spec: BundleSpec) -> dict[str, Any]:
    namespaces = [{"type": "mount"}, {"type": "uts"}]
    if spec.pid_private:
        namespaces.append({"type": "pid"})
    if spec.ipc_private:
        namespaces.append({"type": "ipc"})
    resources: dict[str, Any] = {"devices": [{"allow": False, "access": "rwm"}]}
    if spec.cpuset_cpus:
        resources["cpu"] = {"cpus": spec.cpuset_cpus}
    return {
        "namespaces": namespaces,
        "cgroupsPath": spec.cgroups_path,
        "resources": resources,
        "maskedPaths": ["/proc/kcore", "/sys/firmware", "/proc/keys", "/proc/timer_list",
                        "/proc/sched_debug", "/proc/scsi", "/proc/acpi", *spec.extra_masked],
        "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
                          "/proc/fs"],
    }
