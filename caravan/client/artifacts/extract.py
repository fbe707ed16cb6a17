"""Archive detection by extension and unpacking into a private staging tree.

Every entry passes `MemberGuard` (our rules, limits) before it is written; tar entries
are then written by tarfile with the `data` filter, zip entries by us with the same
metadata rules, and single-file compressors (`.gz`, `.bz2`, `.xz`) stream through the
size limit. Whatever the archive, the result is only a tree under `tree`; `place.py`
checks it again and moves it into the destination.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import tarfile
import zipfile
import zlib
from pathlib import Path
from typing import IO

from caravan.client.artifacts.cancel import Cancel, check
from caravan.client.artifacts.errors import GetterError, go_quote
from caravan.client.artifacts.members import Kind, Limits, MemberGuard

CHUNK = 1 << 20
ARCHIVE_TYPES = {"tar.gz": "tar.gz", "tgz": "tar.gz", "tar.bz2": "tar.bz2", "tbz2": "tar.bz2",
                 "tar.xz": "tar.xz", "txz": "tar.xz", "tar": "tar", "zip": "zip", "gz": "gz",
                 "bz2": "bz2", "xz": "xz"}
_NO_ZSTD = ("tar.zst", "tzst", "zst")  # Nomad unpacks these; Python 3.11 has no zstd
_FALSE = ("0", "f", "false")  # Go's strconv.ParseBool false values, case-folded
_TAR_MODES = {"tar": "r:", "tar.gz": "r:gz", "tar.bz2": "r:bz2", "tar.xz": "r:xz"}
_DECODE_ERRORS = (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zlib.error,
                  lzma.LZMAError, NotImplementedError, RuntimeError)


def detect_archive(filename: str, option: str | None) -> str | None:
    """The archive type to unpack (`tar.gz`, `zip`, `gz`, ...), or None to keep the file."""
    if option is not None and option.strip().lower() not in ("", "true", "1", "t"):
        wanted = option.strip().lower()
        if wanted in _FALSE:
            return None
        if wanted in _NO_ZSTD:
            raise _no_zstd(wanted)
        if wanted not in ARCHIVE_TYPES:
            raise GetterError(f"unsupported archive type: {option}")
        return ARCHIVE_TYPES[wanted]
    lower = filename.lower()
    for ext in sorted((*ARCHIVE_TYPES, *_NO_ZSTD), key=len, reverse=True):
        if lower.endswith("." + ext):
            if ext in _NO_ZSTD:
                raise _no_zstd(ext)
            return ARCHIVE_TYPES[ext]
    return None


def unpacked_name(filename: str, kind: str) -> str:
    """What a single-file compressor's output is called: `tool.gz` -> `tool`."""
    for ext, canonical in ARCHIVE_TYPES.items():
        if canonical == kind and filename.lower().endswith("." + ext):
            return filename[:-len(ext) - 1] or filename
    return filename


def unpack(archive: Path, kind: str, tree: Path, out_name: str, limits: Limits,
           cancel: Cancel | None = None) -> None:
    """Unpack `archive` into the empty directory `tree`; GetterError on any refusal."""
    guard = MemberGuard(limits)
    try:
        if kind in _TAR_MODES:
            _untar(archive, _TAR_MODES[kind], tree, guard, cancel)
        elif kind == "zip":
            _unzip(archive, tree, guard, cancel)
        else:
            _decompress(archive, kind, tree, out_name, guard, cancel)
    except GetterError:
        raise
    except tarfile.FilterError as err:
        raise GetterError(f"archive entry refused by the extraction filter: {err}") from err
    except _DECODE_ERRORS as err:
        raise GetterError(f"error unpacking {kind} archive: {err}") from err


def _untar(archive: Path, mode: str, tree: Path, guard: MemberGuard,
           cancel: Cancel | None) -> None:
    with tarfile.open(archive, mode) as tar:  # type: ignore[call-overload]
        for member in tar:
            check(cancel)
            guard.admit(member.name, _tar_kind(member), size=member.size,
                        link=member.linkname)
            tar.extract(member, tree, filter="data")


def _tar_kind(member: tarfile.TarInfo) -> Kind:
    if member.isreg():
        return "file"
    if member.isdir():
        return "dir"
    if member.issym():
        return "symlink"
    return "hardlink" if member.islnk() else "special"


def _unzip(archive: Path, tree: Path, guard: MemberGuard, cancel: Cancel | None) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            check(cancel)
            kind, mode = _zip_kind(info)
            link = _zip_link(zf, info) if kind == "symlink" else ""
            parts = guard.admit(info.filename, kind, size=info.file_size, link=link)
            target = tree.joinpath(*parts)
            if kind == "dir":
                os.makedirs(target, 0o755, exist_ok=True)
                continue
            os.makedirs(target.parent, 0o755, exist_ok=True)
            if kind == "symlink":
                os.symlink(link, target)
            else:
                with zf.open(info) as src, _create(target, mode) as dst:
                    _copy(src, dst, None, cancel, limit=info.file_size)


def _zip_kind(info: zipfile.ZipInfo) -> tuple[Kind, int]:
    """Entry kind and file mode; Unix zips keep both in the high half of external_attr."""
    if info.flag_bits & 0x1:
        raise GetterError(f"archive entry {go_quote(info.filename)} is encrypted")
    unix = info.external_attr >> 16 if info.create_system == 3 else 0
    kinds: dict[int, Kind] = {stat.S_IFLNK: "symlink", stat.S_IFDIR: "dir",
                              stat.S_IFREG: "file", 0: "file"}
    kind = kinds.get(stat.S_IFMT(unix), "special")
    if kind == "file" and info.is_dir():
        kind = "dir"
    mode = stat.S_IMODE(unix) & 0o755 if unix else 0o644
    if not mode & 0o100:
        mode &= ~0o111  # as tarfile's data filter: executable only if the owner may
    return kind, mode | 0o600


def _zip_link(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    with zf.open(info) as src:
        data = src.read(4097)
    return data.decode("utf-8", "surrogateescape")


def _decompress(archive: Path, kind: str, tree: Path, out_name: str, guard: MemberGuard,
                cancel: Cancel | None) -> None:
    parts = guard.admit(out_name, "file")
    with _open_single(archive, kind) as src, _create(tree.joinpath(*parts), 0o755) as dst:
        _copy(src, dst, guard, cancel)


def _open_single(archive: Path, kind: str) -> io.BufferedIOBase:
    if kind == "gz":
        return gzip.open(archive, "rb")
    if kind == "bz2":
        return bz2.open(archive, "rb")
    return lzma.open(archive, "rb")


def _create(path: Path, mode: int) -> IO[bytes]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, mode)
    os.fchmod(fd, mode)
    return os.fdopen(fd, "wb")


def _copy(src: IO[bytes] | io.BufferedIOBase, dst: IO[bytes], guard: MemberGuard | None,
          cancel: Cancel | None, *, limit: int = 0) -> None:
    written = 0
    while chunk := src.read(CHUNK):
        check(cancel)
        written += len(chunk)
        if guard is not None:
            guard.add_bytes(len(chunk))
        elif written > limit:
            raise GetterError("archive entry is larger than its header says")
        dst.write(chunk)


def _no_zstd(ext: str) -> GetterError:
    return GetterError(f"archive type {ext} is not supported (no zstd decompressor)",
                       hint='set options { archive = false } to fetch the file as it is')
