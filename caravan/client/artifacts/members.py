"""Our own check of every archive entry before it is written: the rules, no I/O.

The archive is replayed into a model of what it has created so far, so a rule can
look at earlier entries, which is where the known escapes hide:

    a -> /etc             absolute link target                refused
    d/up -> ..  ,  l -> d/up/..     a chain that climbs out   refused (resolved link by link)
    l -> a/b/c/../..  ,  a/b/c -> ../..   a later link that makes an earlier one climb out
    s -> sub  ,  s/file             a write through a symlink refused
    s -> sub  ,  s (file)           a second header for a symlink path (CVE-2024-7625)
    h => ../../x  ,  h => s         a hard link out, or to a symlink
    chr, blk, fifo                  special files             refused

Counts and sizes are limited as entries arrive, so an archive over a limit stops
before its first byte too many is written. This runs in addition to tarfile's `data`
filter, never instead of it: that filter was bypassable in the CPython here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from caravan.client.artifacts.errors import GetterError, go_quote

Kind = Literal["file", "dir", "symlink", "hardlink", "special"]
_MAX_LINK_DEPTH = 40  # as the kernel's ELOOP limit
_MAX_LINK_TARGET = 4096  # PATH_MAX


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 0  # 0: no limit
    max_files: int = 0


@dataclass
class MemberGuard:
    """Admits the entries of one archive in order; not thread-safe, one per archive."""

    limits: Limits
    total_bytes: int = 0
    count: int = 0
    _kinds: dict[str, Kind] = field(default_factory=dict)
    _links: dict[str, str] = field(default_factory=dict)
    # path -> the symlinks whose resolution went through it: when a symlink later
    # appears at that path, those are resolved again.
    _via: dict[str, set[str]] = field(default_factory=dict)

    def admit(self, name: str, kind: Kind, *, size: int = 0, link: str = "") -> list[str]:
        """Check one entry and reserve its size; return its path parts (empty: the root)."""
        parts = split_name(name)
        if kind == "special":
            raise _refused(name, "is a device, fifo or other special file")
        if not parts:
            if kind != "dir":
                raise _refused(name, "has no name")
            return parts
        self._check_parents(name, parts)
        key = "/".join(parts)
        if key in self._links:
            raise _refused(name, "is a second entry for a path that is a symlink")
        if kind == "symlink":
            self._check_symlink(name, parts, link)
        elif kind == "hardlink":
            self._check_hardlink(name, link)
        self._count(name)
        if kind in ("file", "hardlink"):
            self.add_bytes(size)
        self._kinds[key] = "file" if kind == "hardlink" else kind
        return parts

    def add_bytes(self, size: int) -> None:
        self.total_bytes += size
        limit = self.limits.max_bytes
        if limit and self.total_bytes > limit:
            raise GetterError(f"archive expands beyond {limit} bytes "
                              "(client artifact decompression_size_limit)")

    def _count(self, name: str) -> None:
        self.count += 1
        limit = self.limits.max_files
        if limit and self.count > limit:
            raise GetterError(f"archive has more than {limit} files "
                              "(client artifact decompression_file_count_limit)")

    def _check_parents(self, name: str, parts: list[str]) -> None:
        for end in range(1, len(parts)):
            prefix = "/".join(parts[:end])
            if prefix in self._links:
                raise _refused(name, f"goes through the symlink {go_quote(prefix)}")
            if self._kinds.setdefault(prefix, "dir") != "dir":
                raise _refused(name, f"goes through the file {go_quote(prefix)}")

    def _check_symlink(self, name: str, parts: list[str], link: str) -> None:
        key = "/".join(parts)
        if key in self._kinds:
            raise _refused(name, "replaces an earlier entry with a symlink")
        if not link or "\x00" in link or len(link) > _MAX_LINK_TARGET:
            raise _refused(name, "has an empty or invalid symlink target")
        if link.startswith("/"):
            raise _refused(name, f"is a symlink to the absolute path {go_quote(link)}")
        self._resolve(parts[:-1], link, name, key, 0)
        self._links[key] = link
        for earlier in sorted(self._via.pop(key, set())):
            try:
                self._resolve(earlier.split("/")[:-1], self._links[earlier], earlier, earlier, 0)
            except GetterError as err:
                raise _refused(name, f"changes where an earlier symlink points: "
                                     f"{err.message}") from None

    def _check_hardlink(self, name: str, link: str) -> None:
        # Tar hard-link targets are archive paths, relative to the archive root.
        try:
            target = split_name(link)
        except GetterError:
            raise _refused(name, f"is a hard link to {go_quote(link)}, outside the "
                                 "destination") from None
        if not target:
            raise _refused(name, "is a hard link without a target")
        self._check_parents(name, target)
        key = "/".join(target)
        if key in self._links:
            raise _refused(name, f"is a hard link to the symlink {go_quote(key)}")
        if self._kinds.get(key) != "file":
            raise _refused(name, f"is a hard link to {go_quote(link)}, not an earlier file")

    def _resolve(self, base: list[str], link: str, name: str, owner: str,
                 depth: int) -> list[str]:
        """Where `link`, seen from directory `base`, points; refuse if it ever leaves.

        Every path walked is noted as used by the symlink `owner`.
        """
        if depth > _MAX_LINK_DEPTH:
            raise _refused(name, "is part of a symlink loop")
        stack = list(base)
        for part in link.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not stack:
                    raise _refused(name, f"is a symlink {go_quote(link)} that points "
                                         "outside the destination")
                stack.pop()
                continue
            stack.append(part)
            walked = "/".join(stack)
            self._via.setdefault(walked, set()).add(owner)
            target = self._links.get(walked)
            if target is not None:
                stack = self._resolve(stack[:-1], target, name, owner, depth + 1)
        return stack


def split_name(name: str) -> list[str]:
    """An entry name as path parts; refuses absolute names, `..`, NUL bytes."""
    if "\x00" in name:
        raise _refused(name, "contains a NUL byte")
    if name.startswith("/"):
        raise _refused(name, "has an absolute path")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _refused(name, 'contains ".." (path traversal)')
    return parts


def _refused(name: str, why: str) -> GetterError:
    return GetterError(f"archive entry {go_quote(name)} {why}")
