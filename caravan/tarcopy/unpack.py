"""A tar stream unpacked into place, all or nothing.

    stream ─▶ each member checked (rules.py) and written into a fresh 0700 staging dir
              beside the destination (same filesystem) ─▶ directory modes and times set
           ─▶ the whole stream passed: its entries are renamed into place
    any member refused, a broken stream, a conflict: the staging dir is removed and the
    destination is as it was.

`dest` an existing directory: the tar's top-level entries land in it (directories merge,
files replace files). Otherwise its parent must exist and the tar holds one top-level
entry, which becomes `dest`. Files are created by the calling process, so they belong
to whoever runs it (in a task, the task's user); modes and times come from the tar.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import tempfile
from typing import BinaryIO

from caravan.errors import InvalidInput, NotFound
from caravan.tarcopy.rules import Seen, check

BUFSIZE = 1024 * 1024
STAGING_PREFIX = ".caravan-cp-"


def unpack(stream: BinaryIO, dest: str) -> int:
    """Unpack `stream` at `dest` (see the module docstring); returns the member count."""
    into = os.path.isdir(dest)
    parent = dest if into else os.path.dirname(dest.rstrip("/")) or "."
    if not os.path.isdir(parent):
        raise NotFound(f"{parent}: no such directory")
    try:
        staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent)
    except OSError as err:
        raise InvalidInput(f"{parent}: cannot write here: {err.strerror}") from None
    try:
        count, top = _extract(stream, staging)
        if into:
            pairs = [(os.path.join(staging, n), os.path.join(dest, n)) for n in top]
        else:
            pairs = [(_single(staging, top), dest)]
        for src, dst in pairs:
            _check_place(src, dst)
        for src, dst in pairs:
            _place(src, dst)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return count


def _single(staging: str, top: list[str]) -> str:
    if top == ["."]:
        return staging
    if len(top) != 1:
        raise InvalidInput(f"the tar holds {len(top)} top-level entries; copy it into an "
                           "existing directory")
    return os.path.join(staging, top[0])


def _extract(stream: BinaryIO, staging: str) -> tuple[int, list[str]]:
    seen, dirs, count = Seen(), [], 0
    try:
        with tarfile.open(fileobj=stream, mode="r|", bufsize=BUFSIZE) as tar:
            for member in tar:
                path = check(member, seen)
                _write(tar, member, path, staging)
                if member.isdir():
                    dirs.append((path, member))
                count += 1
    except tarfile.TarError as err:
        raise InvalidInput(f"not a valid tar stream: {err}") from None
    for path, member in sorted(dirs, key=lambda d: d[0].count("/"), reverse=True):
        full = os.path.join(staging, path)
        os.chmod(full, (member.mode & 0o1777) | stat.S_IRWXU)
        os.utime(full, (member.mtime, member.mtime))
    top = sorted({p.split("/")[0] for p in seen.names} - {"."}) or ["."]
    return count, ["."] if "." in seen.names else top


def _write(tar: tarfile.TarFile, member: tarfile.TarInfo, path: str, staging: str) -> None:
    full = os.path.join(staging, path)
    os.makedirs(os.path.dirname(full), mode=0o700, exist_ok=True)
    if member.isdir():
        os.makedirs(full, mode=0o700, exist_ok=True)
    elif member.issym():
        os.symlink(member.linkname, full)
        os.utime(full, (member.mtime, member.mtime), follow_symlinks=False)
    elif member.islnk():
        target = os.path.join(staging, "/".join(
            p for p in member.linkname.split("/") if p not in ("", ".")))
        os.link(target, full, follow_symlinks=False)
    else:
        _write_file(tar, member, full)


def _write_file(tar: tarfile.TarFile, member: tarfile.TarInfo, full: str) -> None:
    source = tar.extractfile(member)
    assert source is not None  # a regular member always has data
    fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(source, out, BUFSIZE)
        os.fchmod(fd, member.mode & 0o1777)
    os.utime(full, (member.mtime, member.mtime), follow_symlinks=False)


def _is_dir(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def _check_place(src: str, dst: str) -> None:
    """Refuse, before anything moves, what the renames could not finish."""
    if not os.path.lexists(dst):
        return
    if _is_dir(src) != _is_dir(dst):
        kind = "a directory" if _is_dir(dst) else "a non-directory"
        raise InvalidInput(f"cannot overwrite {kind} {dst} with "
                           f"{'a directory' if _is_dir(src) else 'a file'}")
    if _is_dir(src):
        for name in os.listdir(src):
            _check_place(os.path.join(src, name), os.path.join(dst, name))


def _place(src: str, dst: str) -> None:
    if _is_dir(src) and _is_dir(dst):  # merge; an existing directory keeps its mode
        for name in os.listdir(src):
            _place(os.path.join(src, name), os.path.join(dst, name))
        return
    os.rename(src, dst)
