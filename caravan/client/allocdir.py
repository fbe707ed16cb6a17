"""An allocation's directory on the host, laid out as Nomad does.

    <data_dir>/alloc/<alloc_id>/           0755
        alloc/                             0755   shared by the group's tasks
            data/ logs/ tmp/               0777   logs: <task>.stdout.<n>, <task>.stderr.<n>
        <task>/                            0777   the task dir (exec's chroot root)
            local/                         0777
            secrets/ private/              0777   (tmpfs inside exec containers)
            tmp/                           1777
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from caravan.client.drivers.mounts import mounts_under, unmount_all_under

SHARED_DIR = "alloc"
SHARED_SUBDIRS = ("data", "logs", "tmp")
_STICKY_777 = 0o777 | stat.S_ISVTX


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
        """Create the task dir; idempotent (a restarted task keeps its files)."""
        for directory, mode in ((self.path, 0o777), (self.local_dir, 0o777),
                                (self.secrets_dir, 0o777), (self.private_dir, 0o777),
                                (self.tmp_dir, _STICKY_777)):
            _mkdir(directory, mode)


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
        """Create the alloc dir and its shared dir; idempotent."""
        _mkdir(self.path, 0o755)
        _mkdir(self.shared_dir, 0o755)
        for name in SHARED_SUBDIRS:
            _mkdir(self.shared_dir / name, 0o777)

    def destroy(self) -> None:
        """Remove everything; idempotent. Mounts below are detached first, never deleted into."""
        if not self.path.exists():
            return
        unmount_all_under(self.path)
        if mounts_under(self.path):
            raise OSError(f"refusing to delete {self.path}: mounts remain below it")
        shutil.rmtree(self.path, ignore_errors=True)


def _mkdir(path: Path, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    # chmod explicitly: mkdir's mode is filtered by the umask.
    os.chmod(path, mode)
