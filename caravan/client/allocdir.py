"""An allocation's directory on the host, laid out as Nomad does.

    <data_dir>/alloc/<alloc_id>/           0755   a nosuid,nodev bind mount of itself
        alloc/                             1755   shared by the group's tasks
            data/ logs/ tmp/               1777   logs: <task>.stdout.<n>, <task>.stderr.<n>
        <task>/                            0777   the task dir (exec's chroot root)
            local/                         0777
            secrets/ private/              0777   (tmpfs inside exec containers)
            tmp/                           1777
        .caravan-artifact-XXXXXXXX/        0700   artifact staging, root only (fetch.py)

Tasks write below the alloc dir and may swap any entry for a symlink at any time, so
every directory below `<alloc_id>/` is made and changed through `beneath.Root` (no
link is ever followed). The shared dirs carry the sticky bit, so one task cannot
rename or delete what another one (or the agent) created there. The mount makes a
setuid-root file a task manages to create (an exec task holds CAP_CHOWN and
CAP_FOWNER) inert for anyone who runs it on the host.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from caravan.client.beneath import PathRefused, Root
from caravan.client.mounts import bind_nosuid, mounts_under, unmount_all_under

SHARED_DIR = "alloc"
SHARED_SUBDIRS = ("data", "logs", "tmp")
STAGING_PREFIX = ".caravan-artifact-"
_STICKY_777 = 0o777 | stat.S_ISVTX
_STICKY_755 = 0o755 | stat.S_ISVTX


@dataclass(frozen=True)
class TaskDir:
    """Host paths of one task's directories."""

    name: str
    path: Path
    shared_dir: Path

    @property
    def local_dir(self) -> Path:
        return self.path / "local"

    @property
    def secrets_dir(self) -> Path:
        return self.path / "secrets"

    @property
    def private_dir(self) -> Path:
        return self.path / "private"

    @property
    def tmp_dir(self) -> Path:
        return self.path / "tmp"

    @property
    def log_dir(self) -> Path:
        return self.shared_dir / "logs"

    def log_path(self, stream: str) -> Path:
        """The base path of a log stream; the executor appends `.0`, `.1`, ..."""
        return self.log_dir / f"{self.name}.{stream}"

    def build(self) -> None:
        """Create the task dir; idempotent (a restarted task keeps its files). OSError
        (PathRefused) when a task put a symlink or a file where a directory belongs."""
        if self.name.startswith(STAGING_PREFIX) or self.name in ("", ".", ".."):
            raise PathRefused(self.name, "is not a usable task directory name", 22)
        with Root.open(self.path.parent) as alloc:
            alloc.ensure_dir(self.name, 0o777)
            for name, mode in (("local", 0o777), ("secrets", 0o777), ("private", 0o777),
                               ("tmp", _STICKY_777)):
                alloc.ensure_dir(f"{self.name}/{name}", mode)


class AllocDir:
    def __init__(self, alloc_root: Path, alloc_id: str) -> None:
        self.alloc_id = alloc_id
        self.path = alloc_root / alloc_id

    @property
    def shared_dir(self) -> Path:
        return self.path / SHARED_DIR

    @property
    def log_dir(self) -> Path:
        return self.shared_dir / "logs"

    def task_dir(self, task: str) -> TaskDir:
        return TaskDir(name=task, path=self.path / task, shared_dir=self.shared_dir)

    def exists(self) -> bool:
        return self.path.is_dir()

    def build(self) -> None:
        """Create the alloc dir, mount it nosuid,nodev, create its shared dir; idempotent."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with Root.open(self.path.parent) as root:
            root.ensure_dir(self.alloc_id, 0o755)
        if os.geteuid() == 0:  # only root can mount, and only root can make setuid-root files
            bind_nosuid(self.path)
        with Root.open(self.path) as alloc:
            alloc.ensure_dir(SHARED_DIR, _STICKY_755)
            for name in SHARED_SUBDIRS:
                alloc.ensure_dir(f"{SHARED_DIR}/{name}", _STICKY_777)

    def destroy(self) -> None:
        """Remove everything; idempotent. Mounts below are detached first, never deleted
        into, and no link is followed while deleting."""
        if not os.path.lexists(self.path):
            return
        unmount_all_under(self.path)
        if mounts_under(self.path):
            raise OSError(f"refusing to delete {self.path}: mounts remain below it")
        with Root.open(self.path.parent) as root:
            root.remove_tree(self.alloc_id)
