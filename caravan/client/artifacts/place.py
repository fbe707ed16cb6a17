"""Where fetched files land, without ever following a symlink on the way.

    open_beneath(root, ["local", "app"])   the destination, through beneath.Root (no links)
    staging(alloc_dir)                     a root-only 0700 dir in the alloc dir itself
    finalize(tree)                         the check after unpacking, modes, ownership
    merge(tree_fd, dest_fd)                entries renamed into place, replacing, not following

The task dir and the shared dirs are writable by tasks (this task's earlier runs, and
its siblings while this one starts), so a symlink found there (`local/bin -> /usr/bin`)
must be replaced, never written through, and nothing is downloaded or unpacked where
a task could reach: staging sits in the alloc dir, which only root can write, and on
the same mount as every destination, so landing is a rename between two descriptors.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from caravan.client.allocdir import STAGING_PREFIX
from caravan.client.artifacts.errors import GetterError, go_quote
from caravan.client.beneath import PathRefused, Root

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@contextmanager
def open_beneath(root: Path, parts: Sequence[str], *, create: bool,
                 mode: int = 0o755) -> Iterator[int]:
    """A file descriptor of `root/<parts>`; no part may be a symlink. Closed on exit.
    Missing directories are made with `mode` when `create`; FileNotFoundError otherwise."""
    with Root.open(root) as base:
        try:
            directory = base.opendir("/".join(parts), create=create, mode=mode)
        except PathRefused as err:
            shown = os.path.relpath(err.path, root)
            raise GetterError(f"artifact destination {go_quote(shown)} is not a directory "
                              f"(a symlink or a file is in the way: {err.why})") from err
    with directory:
        yield directory.fd


@contextmanager
def staging(alloc_dir: Path) -> Iterator[Path]:
    """A fresh root-only directory in `alloc_dir`, removed with its contents on exit.
    `alloc_dir` must be writable by root alone: paths below it are used as they are."""
    path = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=alloc_dir)
    try:
        yield Path(path)
    finally:
        with Root.open(alloc_dir) as root:
            root.remove_tree(os.path.basename(path))


def finalize(tree: Path, owner: tuple[int, int] | None) -> None:
    """Check what unpacking produced and fix its metadata before anything is moved.

    Refuses special files and symlinks that resolve outside `tree`; directories become
    0755, files lose setuid/setgid/sticky and group/other write; `owner` (uid, gid)
    gets every entry.
    """
    root = os.path.realpath(tree)
    for dirpath, dirnames, filenames, dirfd in os.fwalk(tree):
        for name in dirnames + filenames:
            info = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            shown = os.path.relpath(os.path.join(dirpath, name), tree)
            if stat.S_ISLNK(info.st_mode):
                _check_link(root, dirpath, dirfd, name, shown)
            elif stat.S_ISDIR(info.st_mode):
                os.chmod(name, 0o755, dir_fd=dirfd)
            elif stat.S_ISREG(info.st_mode):
                mode = stat.S_IMODE(info.st_mode)
                if mode & ~0o755:
                    os.chmod(name, mode & 0o755, dir_fd=dirfd)
            else:
                raise GetterError(f"artifact contains the special file {go_quote(shown)}")
            if owner is not None:
                os.chown(name, owner[0], owner[1], dir_fd=dirfd, follow_symlinks=False)


def merge(src_fd: int, dst_fd: int) -> list[str]:
    """Move every entry of `src_fd` into `dst_fd`, directories merged; the names moved."""
    names = sorted(os.listdir(src_fd))
    for name in names:
        _move(name, src_fd, dst_fd)
    return names


def place_file(src_fd: int, name: str, dst_fd: int, dst_name: str) -> None:
    """Rename one file to `dst_name`, replacing a file or symlink but never a directory."""
    existing = _lstat(dst_name, dst_fd)
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise GetterError(f"artifact destination {go_quote(dst_name)} is a directory; "
                          'mode "file" needs a file path')
    os.rename(name, dst_name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)


def _move(name: str, src_fd: int, dst_fd: int) -> None:
    src = os.stat(name, dir_fd=src_fd, follow_symlinks=False)
    dst = _lstat(name, dst_fd)
    src_dir = stat.S_ISDIR(src.st_mode)
    if dst is not None and src_dir and stat.S_ISDIR(dst.st_mode):
        child_src = _open_child(src_fd, name, create=False, mode=0, shown=name)
        try:
            child_dst = _open_child(dst_fd, name, create=False, mode=0, shown=name)
            try:
                merge(child_src, child_dst)
            finally:
                os.close(child_dst)
        finally:
            os.close(child_src)
        return
    if dst is not None and stat.S_ISDIR(dst.st_mode):
        shutil.rmtree(name, dir_fd=dst_fd)
    elif dst is not None and src_dir:
        os.unlink(name, dir_fd=dst_fd)  # rename cannot put a directory over a file
    os.rename(name, name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)


def _open_child(parent: int, name: str, *, create: bool, mode: int, shown: str) -> int:
    """Open directory `name` under `parent` without following a symlink."""
    created = False
    if create:
        try:
            os.mkdir(name, mode, dir_fd=parent)
            created = True
        except FileExistsError:
            pass
    try:
        child = os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError as err:
        raise GetterError(f"artifact destination {go_quote(shown)} is not a directory "
                          f"(a symlink or a file is in the way: {err.strerror})") from err
    if created:
        os.fchmod(child, mode)  # mkdir's mode went through the umask
    return child


def _check_link(root: str, dirpath: str, dirfd: int, name: str, shown: str) -> None:
    target = os.readlink(name, dir_fd=dirfd)
    resolved = os.path.realpath(os.path.join(dirpath, name))
    if target.startswith("/") or os.path.commonpath([resolved, root]) != root:
        raise GetterError(f"artifact contains the symlink {go_quote(shown)} -> "
                          f"{go_quote(target)}, which points outside the destination")


def _lstat(name: str, dir_fd: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
