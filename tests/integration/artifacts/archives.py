"""Archives built in memory for the artifact tests: benign ones of every type, and
crafted ones with the tricks real exploits use (entries tarfile/zipfile would never
write on their own)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import stat
import tarfile
import zipfile
from dataclasses import dataclass

TAR_COMPRESSION = {"tar": "", "tar.gz": "gz", "tgz": "gz", "tar.bz2": "bz2", "tbz2": "bz2",
                   "tar.xz": "xz", "txz": "xz"}

# name -> (content, mode); directories end with "/".
BENIGN = {
    "bin/": (b"", 0o755),
    "bin/tool": (b"#!/bin/sh\necho hello from tool\n", 0o755),
    "README": (b"read me\n", 0o644),
    "data/sub/values.txt": (b"1 2 3\n", 0o640),
}


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str = "file"  # file, dir, symlink, hardlink, chr, blk, fifo
    data: bytes = b""
    mode: int = 0o644
    link: str = ""
    size: int | None = None  # header size, when it must differ from len(data)


def tar_bytes(entries: list[Entry], compression: str = "") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}",  # type: ignore[call-overload]
                      format=tarfile.GNU_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.mode = entry.mode
            info.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE,
                         "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                         "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE,
                         "fifo": tarfile.FIFOTYPE}[entry.kind]
            info.linkname = entry.link
            if entry.kind in ("chr", "blk"):
                info.devmajor, info.devminor = 1, 3  # /dev/null's numbers
            info.size = len(entry.data) if entry.kind == "file" else 0
            tar.addfile(info, io.BytesIO(entry.data) if entry.kind == "file" else None)
    return buffer.getvalue()


def zeros_tar(size: int, compression: str = "gz", name: str = "zeros") -> bytes:
    """A tar of one big file of zeros, streamed so the test does not hold it in memory."""
    buffer = io.BytesIO()
    mode = f"w:{compression}"
    with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, _Zeros(size))
    return buffer.getvalue()


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


def zip_bytes(entries: list[Entry]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name + ("/" if entry.kind == "dir" else ""))
            info.create_system = 3
            kind_bits = {"file": stat.S_IFREG, "dir": stat.S_IFDIR, "symlink": stat.S_IFLNK,
                         "chr": stat.S_IFCHR, "fifo": stat.S_IFIFO}[entry.kind]
            info.external_attr = (kind_bits | entry.mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            payload = entry.link.encode() if entry.kind == "symlink" else entry.data
            zf.writestr(info, payload)
    return buffer.getvalue()


def zip_bomb(size: int) -> bytes:
    """One entry of `size` zero bytes: a few KB on the wire."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("bomb", "w") as out:
            chunk = bytes(1 << 20)
            for _ in range(size // len(chunk)):
                out.write(chunk)
    return buffer.getvalue()


def benign_entries() -> list[Entry]:
    return [Entry(name.rstrip("/"), "dir" if name.endswith("/") else "file", data, mode)
            for name, (data, mode) in BENIGN.items()]


def benign_archive(kind: str) -> bytes:
    """BENIGN packed as `kind` (tar, tgz, zip, ...)."""
    if kind == "zip":
        return zip_bytes(benign_entries())
    return tar_bytes(benign_entries(), TAR_COMPRESSION[kind])


def single(kind: str, data: bytes) -> bytes:
    if kind == "gz":
        return gzip.compress(data)
    return bz2.compress(data) if kind == "bz2" else lzma.compress(data)
