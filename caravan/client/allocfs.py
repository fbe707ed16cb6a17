"""Nomad's `alloc fs` on the client: list, stat, read and stream files of an alloc dir.

A task owns its alloc dir and can plant anything there, so every path goes through
`beneath.Root`: it is resolved beneath the alloc dir one component at a time and no
symlink is followed, not even one that points to another place inside the alloc dir
(Nomad follows those; we don't, because a link checked now may point elsewhere a
moment later, and CVE-2022-24683 was exactly a link that left the directory). A
symlink is listed and stat'ed as itself (mode `L...`); reading through it is refused.
Files read must be regular files not hard-linked elsewhere (a hard link to a host file
would otherwise be a way out of the alloc dir for a raw_exec task).

`<task>/secrets` and `<task>/private` are refused whatever the spelling: the path is
normalized lexically first (`web/./secrets`, `web/../web/secrets`, `web/secrets/`)
and the component is compared without case (`SECRETS`), as Nomad does since GH-24125.
"""

from __future__ import annotations

import asyncio
import errno
import mimetypes
import os
import posixpath
import stat
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from caravan.client.beneath import PathRefused, Root
from caravan.errors import InvalidInput, NotFound, PermissionDenied

FRAME_SIZE = 64 * 1024
POLL_S = 0.2
HEARTBEAT_S = 1.0
_HIDDEN = ("secrets", "private")  # second component: <task>/secrets, <task>/private
_MODE_LETTERS = (
    (stat.S_ISDIR, "d"), (stat.S_ISLNK, "L"), (stat.S_ISBLK, "D"), (stat.S_ISCHR, "D"),
    (stat.S_ISFIFO, "p"), (stat.S_ISSOCK, "S"),
)


@dataclass(frozen=True)
class FsFrame:
    """One piece of a streamed file; `offset` is the position just after `data`."""

    offset: int = 0
    data: bytes = b""
    file: str = ""
    file_event: str = ""


def clean_path(path: str) -> str:
    """The path relative to the alloc dir ("" for the alloc dir itself), or a 4xx error.

    `/alloc/logs`, `alloc/logs/` and `alloc/./x/../logs` all give `alloc/logs`."""
    if "\x00" in path:
        raise InvalidInput("path contains a NUL byte")
    rel = posixpath.normpath("/" + path).lstrip("/")
    lexical = posixpath.normpath(path.lstrip("/") or ".")
    if lexical == ".." or lexical.startswith("../"):
        raise InvalidInput("Path escapes the alloc directory")
    parts = rel.split("/") if rel else []
    if len(parts) > 1 and parts[1].casefold() in _HIDDEN:
        raise PermissionDenied(f"Reading {parts[1].casefold().rstrip('s')} "
                               f"file prohibited: {path}")
    return rel


def file_mode(mode: int) -> str:
    """Go's os.FileMode.String(): `drwxr-xr-x`, `-rw-r--r--`, `Lrwxrwxrwx`, `dtrwxrwxrwx`."""
    letters = next((c for test, c in _MODE_LETTERS if test(mode)), "")
    letters += "u" if mode & stat.S_ISUID else ""
    letters += "g" if mode & stat.S_ISGID else ""
    letters += "c" if stat.S_ISCHR(mode) else ""
    letters += "t" if mode & stat.S_ISVTX else ""
    perms = "".join(ch if mode & (1 << (8 - i)) else "-" for i, ch in enumerate("rwxrwxrwx"))
    return (letters or "-") + perms


def _mod_time(mtime: float) -> str:
    return datetime.fromtimestamp(mtime, UTC).isoformat().replace("+00:00", "Z")


def file_info(name: str, info: os.stat_result, content_type: str = "") -> dict[str, Any]:
    """Nomad's AllocFileInfo."""
    out: dict[str, Any] = {
        "Name": name, "IsDir": stat.S_ISDIR(info.st_mode), "Size": info.st_size,
        "FileMode": file_mode(info.st_mode), "ModTime": _mod_time(info.st_mtime),
    }
    if content_type:
        out["ContentType"] = content_type
    return out


def _refused(rel: str, err: OSError) -> Exception:
    if isinstance(err, FileNotFoundError):
        return NotFound(f"stat {rel or '/'}: no such file or directory")
    if isinstance(err, PathRefused) and err.errno == errno.ELOOP:
        return InvalidInput(f"{rel}: {err.why}; alloc fs does not follow symlinks")
    if isinstance(err, PathRefused):
        return InvalidInput(f"{rel}: {err.why}")
    return InvalidInput(f"{rel}: {err.strerror}")


def list_dir(alloc_dir: Path, path: str) -> list[dict[str, Any]]:
    rel = clean_path(path)
    try:
        with Root.open(alloc_dir) as root, root.opendir(rel or ".") as directory:
            entries = []
            for name in sorted(os.listdir(directory.fd)):
                try:
                    entries.append(file_info(name, directory.lstat(name)))
                except FileNotFoundError:
                    continue  # removed while listing
            return entries
    except NotADirectoryError:
        raise InvalidInput(f"{rel}: not a directory") from None
    except OSError as err:
        raise _refused(rel, err) from None


def stat_path(alloc_dir: Path, path: str) -> dict[str, Any]:
    rel = clean_path(path)
    try:
        with Root.open(alloc_dir) as root:
            info = root.lstat(rel or ".")
            name = posixpath.basename(rel) or Path(alloc_dir).name
            kind = _content_type(root, rel) if stat.S_ISREG(info.st_mode) else ""
            return file_info(name, info, kind)
    except OSError as err:
        raise _refused(rel, err) from None


def _content_type(root: Root, rel: str) -> str:
    guessed, _ = mimetypes.guess_type(rel)
    if guessed:
        return guessed
    try:
        with root.reader(rel) as f:
            head = f.read(512)
    except OSError:
        return "application/octet-stream"
    try:
        head.decode()
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain; charset=utf-8"


def open_file(alloc_dir: Path, path: str) -> tuple[BinaryIO, str]:
    """(the file opened for reading, its clean relative path); errors are 4xx, raised
    before any response starts."""
    rel = clean_path(path)
    if not rel:
        raise InvalidInput(f'file "{path}" is a directory')
    try:
        with Root.open(alloc_dir) as root:
            if stat.S_ISDIR(root.lstat(rel).st_mode):
                raise InvalidInput(f'file "{path}" is a directory')
            return root.reader(rel), rel
    except OSError as err:
        raise _refused(rel, err) from None


def start_offset(f: BinaryIO, origin: str, offset: int) -> int:
    if origin not in ("start", "end"):
        raise InvalidInput("origin must be start or end")
    if offset < 0:
        raise InvalidInput(f"offset {offset} must not be negative")
    size = os.fstat(f.fileno()).st_size
    return min(offset, size) if origin == "start" else max(0, size - offset)


async def read_range(f: BinaryIO, offset: int, limit: int) -> AsyncIterator[bytes]:
    """`limit` bytes (all with 0) from `offset`; closes `f`."""
    with f:
        f.seek(offset)
        left = limit if limit > 0 else -1
        while left != 0:
            data = f.read(FRAME_SIZE if left < 0 else min(left, FRAME_SIZE))
            if not data:
                return
            left -= len(data) if left > 0 else 0
            yield data
            await asyncio.sleep(0)


async def stream_file(f: BinaryIO, alloc_dir: Path, rel: str, offset: int,
                      follow: bool) -> AsyncIterator[FsFrame]:
    """Frames of `f` from `offset`; following, waits for more and reports truncation and
    deletion, with an empty frame about once a second while idle. Closes `f`."""
    with f:
        f.seek(offset)
        idle_since = time.monotonic()
        while True:
            data = f.read(FRAME_SIZE)
            if data:
                offset += len(data)
                idle_since = time.monotonic()
                yield FsFrame(offset=offset, data=data, file=rel)
                continue
            if not follow:
                return
            event = _file_event(alloc_dir, rel, f, offset)
            if event:
                yield FsFrame(file=rel, file_event=event)
                if event == "file deleted":
                    return
                offset = 0
                f.seek(0)
            await asyncio.sleep(POLL_S)
            if time.monotonic() - idle_since >= HEARTBEAT_S:
                idle_since = time.monotonic()
                yield FsFrame()


def _file_event(alloc_dir: Path, rel: str, f: BinaryIO, offset: int) -> str:
    if os.fstat(f.fileno()).st_nlink == 0:
        return "file deleted"
    try:
        with Root.open(alloc_dir) as root:
            root.lstat(rel)
    except OSError:
        return "file deleted"
    return "file truncated" if os.fstat(f.fileno()).st_size < offset else ""
