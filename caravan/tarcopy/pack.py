"""A file or directory tree written as a tar stream, as `tar c` would (without tar).

Links are stored as links, never followed (a symlink a task planted is copied as the
symlink it is); owners are not stored (`alloc cp` sets them on the receiving side).
"""

from __future__ import annotations

import os
import stat
import tarfile
from typing import BinaryIO

from caravan.errors import InvalidInput, NotFound

BUFSIZE = 1024 * 1024


def pack(source: str, arcname: str, out: BinaryIO) -> None:
    """Write `source` (a file, directory or link; followed when it is the path given
    itself, like `cp -r`) to `out` as a tar whose top-level member is `arcname`."""
    try:
        top = os.stat(source)
    except FileNotFoundError:
        raise NotFound(f"{source}: no such file or directory") from None
    except OSError as err:
        raise InvalidInput(f"{source}: {err.strerror}") from None
    if not (stat.S_ISREG(top.st_mode) or stat.S_ISDIR(top.st_mode)):
        raise InvalidInput(f"{source}: not a file or directory")
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT,
                      bufsize=BUFSIZE) as tar:
        tar.dereference = True  # the path given is followed, what is beneath it never
        info = tar.gettarinfo(source, arcname)
        tar.dereference = False
        _add(tar, source, info)


def _add(tar: tarfile.TarFile, path: str, info: tarfile.TarInfo | None) -> None:
    if info is None or not (info.isreg() or info.isdir() or info.issym() or info.islnk()):
        return  # sockets, fifos and devices are not copied (and never accepted)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = int(info.mtime)  # whole seconds fit the ustar header: no PAX record each
    if info.isreg():
        try:
            with open(path, "rb") as f:
                tar.addfile(info, f)
        except OSError as err:
            raise InvalidInput(f"{path}: {err.strerror}") from None
        return
    tar.addfile(info)
    if info.isdir():
        try:
            names = sorted(os.listdir(path))
        except OSError as err:
            raise InvalidInput(f"{path}: {err.strerror}") from None
        for name in names:
            child = os.path.join(path, name)
            _add(tar, child, tar.gettarinfo(child, f"{info.name}/{name}"))
