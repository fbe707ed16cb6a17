"""Host mounts the client makes and the guard that removes them.

    bind_nosuid(alloc_dir)    the alloc dir on itself, nosuid,nodev: a setuid file a task
                              makes there is inert on the host
    mount_tmpfs(secrets_dir)  a task's secrets tmpfs

Mount targets may sit in directories a task can write, so they are named through an
O_PATH descriptor opened without following links (`/proc/self/fd/N`), never by path.
Nothing under an alloc dir may be deleted while something is mounted there: a
recursive delete through a bind mount would delete the mount's source.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

from caravan.client.beneath import Root

_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
_MS_REMOUNT, _MS_BIND, _MS_REC = 0x20, 0x1000, 0x4000
_MS_NOATIME, _MS_NODIRATIME, _MS_RELATIME = 0x400, 0x800, 0x200000
_MNT_DETACH, _UMOUNT_NOFOLLOW = 0x2, 0x8
# statvfs flags -> the mount flags that keep them on a bind remount.
_KEPT = ((os.ST_RDONLY, _MS_RDONLY), (os.ST_NOEXEC, _MS_NOEXEC),
         (os.ST_NOATIME, _MS_NOATIME), (os.ST_NODIRATIME, _MS_NODIRATIME),
         (os.ST_RELATIME, _MS_RELATIME))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def mount_tmpfs(root: Root, rel: str, *, size_mb: int, mode: int, uid: int,
                gid: int) -> None:
    """A noexec, nosuid, nodev tmpfs on directory `rel` beneath `root`, owned by uid:gid;
    idempotent. A symlink in its place is refused, never mounted over."""
    options = f"size={max(1, size_mb)}m,mode={mode:o},uid={uid},gid={gid}".encode()
    with root.opendir(rel) as directory:
        # A tmpfs has a device of its own: a directory on its parent's device has none yet.
        if os.fstat(directory.fd).st_dev != os.fstat(root.fd).st_dev:
            return
        _mount(b"tmpfs", directory.fd, b"tmpfs", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC,
               options, f"mount tmpfs on {root.shown(rel)}")


def bind_nosuid(path: Path) -> None:
    """Bind `path` onto itself with nosuid,nodev (keeping ro/noexec/atime flags of the
    mount it is on); idempotent. Mounts already below it are carried along."""
    if is_mount_point(path):
        return
    fd = os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        kept = sum(flag for st, flag in _KEPT if os.statvfs(fd).f_flag & st)
        _mount(f"/proc/self/fd/{fd}".encode(), fd, None, _MS_BIND | _MS_REC, None,
               f"bind mount {path}")
    finally:
        os.close(fd)
    # The new mount is what `path` names now: remount that one, not the one below.
    fd = os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        _mount(None, fd, None, _MS_REMOUNT | _MS_BIND | _MS_NOSUID | _MS_NODEV | kept, None,
               f"remount {path} nosuid,nodev")
    except OSError:
        unmount(path)
        raise
    finally:
        os.close(fd)


def _mount(source: bytes | None, target_fd: int, fstype: bytes | None, flags: int,
           options: bytes | None, what: str) -> None:
    target = f"/proc/self/fd/{target_fd}".encode()
    if _libc().mount(source, target, fstype, flags, options) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unmount(target: Path) -> None:
    """Detach the mount at `target` (never through a symlink); a path that is not mounted
    is left alone."""
    if _libc().umount2(str(target).encode(), _MNT_DETACH | _UMOUNT_NOFOLLOW) != 0:
        err = ctypes.get_errno()
        if err not in (22, 2):  # EINVAL: not a mount point; ENOENT: gone
            raise OSError(err, f"unmount {target}: {os.strerror(err)}")


def mounts_under(path: Path) -> list[Path]:
    """Mount points at or below `path` in this mount namespace, deepest first."""
    root = os.path.realpath(path)
    found: list[Path] = []
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        for line in info:
            point = _unescape(line.split()[4])
            if point == root or point.startswith(root + "/"):
                found.append(Path(point))
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def is_mount_point(path: Path) -> bool:
    return Path(os.path.realpath(path)) in mounts_under(path)


def unmount_all_under(path: Path) -> None:
    # A mount may hide another one at the same place: repeat until nothing is left.
    for _ in range(8):
        points = mounts_under(path)
        if not points:
            return
        for point in points:
            unmount(point)


def _unescape(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash as octal escapes.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field
