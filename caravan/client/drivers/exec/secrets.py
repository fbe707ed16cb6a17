"""An exec task's private `secrets/`: a tmpfs only the task user may read, holding what
the agent placed there before the task started.

Prestart hooks (artifacts with `destination = "${NOMAD_SECRETS_DIR}"`) write into the
task dir's `secrets/` directory; the tmpfs is mounted over it when the driver starts
the task, which would hide those files. So they are copied into the fresh tmpfs:
regular files and directories only, owned by the task user, never following a
symlink. The copies below the mount stay, so a restart (a new tmpfs) gets them again.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from caravan.client.beneath import Root
from caravan.client.drivers.mounts import mount_tmpfs
from caravan.errors import DriverError

_CHUNK = 1 << 20
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def mount_secrets(secrets: Path, size_mb: int, uid: int, gid: int) -> None:
    """Mount the tmpfs on `secrets` (idempotent) and copy in what lay there before.
    The task dir is writable by tasks, so a symlink put there between two runs is
    refused, never mounted over (the task dir itself sits in the root-only alloc dir)."""
    with Root.open(secrets.parent) as task_dir:
        try:
            with task_dir.opendir(secrets.name, create=True, mode=0o777) as below:
                mount_tmpfs(task_dir, secrets.name, size_mb=size_mb, mode=0o700, uid=uid,
                            gid=gid)
                with task_dir.opendir(secrets.name) as tmpfs:
                    if os.fstat(tmpfs.fd).st_dev != os.fstat(below.fd).st_dev:
                        _copy_tree(below.fd, tmpfs.fd, uid, gid)
        except OSError as err:
            raise DriverError(f"failed to mount the secrets dir: {err}") from err


def _copy_tree(src: int, dst: int, uid: int, gid: int) -> None:
    for name in sorted(os.listdir(src)):
        info = os.stat(name, dir_fd=src, follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            os.mkdir(name, 0o700, dir_fd=dst)
            child_src, child_dst = os.open(name, _DIR, dir_fd=src), os.open(name, _DIR,
                                                                             dir_fd=dst)
            try:
                os.fchmod(child_dst, stat.S_IMODE(info.st_mode) & 0o755)
                os.fchown(child_dst, uid, gid)
                _copy_tree(child_src, child_dst, uid, gid)
            finally:
                os.close(child_src)
                os.close(child_dst)
        elif stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
            _copy_file(name, src, dst, stat.S_IMODE(info.st_mode) & 0o755, uid, gid)
        # Anything else (a symlink, a fifo, a hard link to who knows what) is not
        # something the agent placed: left out.


def _copy_file(name: str, src: int, dst: int, mode: int, uid: int, gid: int) -> None:
    reader = os.open(name, _READ, dir_fd=src)
    try:
        opened = os.fstat(reader)
        if not stat.S_ISREG(opened.st_mode) or opened.st_nlink != 1:
            return  # swapped since the listing
        with os.fdopen(os.open(name, _CREATE, 0o600, dir_fd=dst), "wb") as out:
            while chunk := os.read(reader, _CHUNK):
                out.write(chunk)
            out.flush()
            os.fchown(out.fileno(), uid, gid)
            os.fchmod(out.fileno(), mode)
    finally:
        os.close(reader)
