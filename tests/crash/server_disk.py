"""A small tmpfs the test mounts and unmounts, and a file that fills it up (server crash tests)."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_CHUNK = b"\0" * (64 * 1024)


@contextmanager
def small_tmpfs(path: Path, size_mb: int) -> Iterator[Path]:
    """Mount a `size_mb` tmpfs at `path` for the block; always unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs",
                    str(path)], check=True)
    try:
        yield path
    finally:
        # Lazy: a process the test killed may still hold a file open for a moment.
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(path: Path) -> Path:
    """Write `path` until the filesystem refuses another byte; returns `path`."""
    with path.open("wb", buffering=0) as f:
        while True:
            try:
                f.write(_CHUNK)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
        for size in (4096, 512, 1):
            while True:
                try:
                    f.write(b"\0" * size)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    return path
