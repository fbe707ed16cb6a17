"""The checks a tar member passes before anything of it is written (pure).

A hostile tar (kubectl cp's CVE-2019-1002101, CVE-2019-11246, CVE-2019-11249) escapes the
destination with an absolute name, a `..`, a symlink that points out and a later member
written through it, or a hard link to a file outside; it plants a device node or a
set-id binary. Each is refused with the member's name; the caller writes nothing.
"""

from __future__ import annotations

import posixpath
import stat
import tarfile
from dataclasses import dataclass, field

from caravan.errors import InvalidInput


class TarRefused(InvalidInput):
    """The tar stream would write outside its destination, or something never allowed."""


@dataclass
class Seen:
    """What earlier members of the same stream were: links may only point at these."""

    files: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


def member_path(name: str) -> str:
    """The member's name, normalized, or TarRefused when it leaves the destination."""
    if "\x00" in name:
        raise TarRefused(f"refusing tar member {name!r}: NUL in its name")
    if name.startswith("/"):
        raise TarRefused(f"refusing tar member {name!r}: absolute path")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise TarRefused(f"refusing tar member {name!r}: '..' in its path")
    return "/".join(parts) or "."


def check(member: tarfile.TarInfo, seen: Seen) -> str:
    """The member's normalized path if it may be written; records it in `seen`."""
    path = member_path(member.name)
    if path in seen.names:
        raise TarRefused(f"refusing tar member {member.name!r}: it appears twice")
    _check_parents(member.name, path, seen)
    if path == "." and not member.isdir():
        raise TarRefused(f"refusing tar member {member.name!r}: only a directory can be '.'")
    if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
        raise TarRefused(f"refusing tar member {member.name!r}: only files, directories "
                         "and links can be copied (no devices, fifos or sockets)")
    if member.mode & (stat.S_ISUID | stat.S_ISGID):
        raise TarRefused(f"refusing tar member {member.name!r}: setuid/setgid bit set")
    if member.issym():
        _check_symlink(member, path)
        seen.links.add(path)
    elif member.islnk():
        target = member_path(member.linkname)
        if target not in seen.files:
            raise TarRefused(f"refusing tar member {member.name!r}: hard link to "
                             f"{member.linkname!r}, not a file earlier in this tar")
    elif member.isreg():
        seen.files.add(path)
    seen.names.add(path)
    return path


def _check_parents(name: str, path: str, seen: Seen) -> None:
    parts = path.split("/")
    for end in range(1, len(parts)):
        if "/".join(parts[:end]) in seen.links:
            raise TarRefused(f"refusing tar member {name!r}: its path goes through a "
                             "symlink of this tar")


def _check_symlink(member: tarfile.TarInfo, path: str) -> None:
    target = member.linkname
    if not target or target.startswith("/") or "\x00" in target:
        raise TarRefused(f"refusing tar member {member.name!r}: symlink to {target!r} "
                         "points outside the destination")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if resolved == ".." or resolved.startswith("../"):
        raise TarRefused(f"refusing tar member {member.name!r}: symlink to {target!r} "
                         "points outside the destination")
