"""Where a template reads and writes, beneath its allocation dir and never outside it.

A template's `source` and `destination` are interpolated with the client's view of
the task env (host paths for `${NOMAD_ALLOC_DIR}` and friends), then made relative
to the alloc dir: a relative path is the task dir's, an absolute one must lie inside
the alloc dir (`../alloc/x` reaches the shared dir, as in Nomad). Every read and write
then goes through `beneath.Root` opened at the alloc dir, so a symlink a task planted
anywhere on the way (the destination itself included) is refused, never followed.

A rendered file is written to a new temporary name beside the destination, given its
mode and owner there, then renamed over the destination: a reader sees the old or
the new content, never half, and a symlink at the destination is replaced, not
written through.
"""

from __future__ import annotations

import os
import posixpath
import secrets
from dataclasses import dataclass
from pathlib import Path

from caravan.client.beneath import Root

_MAX_SOURCE_BYTES = 8 * 1024 * 1024  # consul-template reads whole files; so do we, bounded


class TemplatePathError(ValueError):
    """A source or destination outside the allocation dir (Nomad's words)."""


@dataclass(frozen=True)
class AllocFiles:
    alloc_dir: Path  # the host path of the allocation dir (the agent made it)
    task_name: str

    def relative(self, path: str, what: str) -> str:
        """`path` (already interpolated) relative to the alloc dir; TemplatePathError
        when it would leave it."""
        if "\x00" in path:
            raise TemplatePathError(f"template {what} path contains a NUL byte")
        base = posixpath.normpath(str(self.alloc_dir))
        if posixpath.isabs(path):
            joined = posixpath.normpath(path)
        else:
            joined = posixpath.normpath(posixpath.join(base, self.task_name, path))
        if not joined.startswith(base + "/"):
            raise TemplatePathError(f"template {what} path escapes alloc directory")
        return joined[len(base) + 1:]

    def read_source(self, rel: str) -> str:
        with Root.open(self.alloc_dir) as root, root.reader(rel) as f:
            data = f.read(_MAX_SOURCE_BYTES + 1)
        if len(data) > _MAX_SOURCE_BYTES:
            raise OSError(f"{rel}: larger than {_MAX_SOURCE_BYTES} bytes")
        return data.decode("utf-8", "replace")

    def read_current(self, rel: str) -> bytes | None:
        """What the destination holds now, or None (missing, or not a plain file)."""
        try:
            with Root.open(self.alloc_dir) as root, root.reader(rel) as f:
                return f.read()
        except OSError:
            return None

    def write(self, rel: str, content: bytes, perms: int, uid: int, gid: int) -> None:
        """Replace the destination atomically; missing parent dirs are made (0755)."""
        parent, name = posixpath.split(rel)
        temp = f".{name}.{secrets.token_hex(6)}.caravan-tmp"
        with Root.open(self.alloc_dir) as root, root.opendir(parent or ".", create=True,
                                                             mode=0o755) as directory:
            fd = directory.open_file(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                _write_all(fd, content)
                os.fchmod(fd, perms)
                if uid >= 0 or gid >= 0:
                    os.fchown(fd, uid, gid)
                os.fsync(fd)
            except BaseException:
                os.close(fd)
                directory.unlink(temp)
                raise
            os.close(fd)
            directory.rename(temp, name)


def _write_all(fd: int, content: bytes) -> None:
    view = memoryview(content)
    while view:
        view = view[os.write(fd, view):]
