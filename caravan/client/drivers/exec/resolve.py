"""Where an exec task's command is, in Nomad's order (nomad-facts §1.8).

    1. <task>/local/C   2. <task>/C   3. each volume mount, in job order
    4. C with a "/" that was not found: error
    5. <task>/usr/local/bin/C, <task>/usr/bin/C, <task>/bin/C   (the chroot's own dirs)

Lookups happen on the host side of the chroot: the task dir holds `local/`, and
`usr/bin` etc. resolve through the host dirs the chroot binds in (`chroot_env`).
The result is the path as the task sees it (rooted at the chroot) plus the host path.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from caravan.client.beneath import Root
from caravan.errors import DriverError


@dataclass(frozen=True)
class Mount:
    """A bind mount: `host` on the client appears at `task` inside the chroot."""

    host: Path
    task: PurePosixPath
    read_only: bool = False


@dataclass(frozen=True)
class Resolved:
    in_task: str
    on_host: Path


def resolve_command(command: str, task_dir: Path, volumes: list[Mount],
                    chroot: list[Mount]) -> Resolved:
    rel = command.lstrip("/")
    candidates = [(f"/local/{rel}", task_dir / "local" / rel), (f"/{rel}", _host_of(rel, task_dir,
                                                                                      chroot))]
    for mount in volumes:
        inside = _relative_to(PurePosixPath("/" + rel), mount.task)
        if inside is not None:
            candidates.append((f"/{rel}", mount.host / inside))
    for found_in_task, on_host in candidates:
        if on_host is not None and _is_file(on_host):
            return Resolved(found_in_task, on_host)
    if "/" in command:
        raise DriverError(f"file {command} not found under path {task_dir}")
    for sub in ("usr/local/bin", "usr/bin", "bin"):
        on_host = _host_of(f"{sub}/{command}", task_dir, chroot)
        if on_host is not None and _is_file(on_host):
            return Resolved(f"/{sub}/{command}", on_host)
    raise DriverError(f"file {command} not found under path {task_dir}")


def make_executable(path: Path, task_dir: Path) -> None:
    """Nomad adds r-x for everyone when a resolved command lacks it (0555).

    Only files inside the task dir are touched: a command found through a read-only
    chroot bind or a host volume is a host file, and the host is not ours to change.
    The task dir is the task's to change too, so the file is reached without following
    links; one that is a link (or sits behind one) is left as it is.
    """
    if not path.is_relative_to(task_dir):
        return
    rel = path.relative_to(task_dir).as_posix()
    try:
        with Root.open(task_dir) as root:
            mode = root.lstat(rel).st_mode
            if stat.S_ISREG(mode) and mode & 0o555 != 0o555:
                root.chmod(rel, stat.S_IMODE(mode) | 0o555)
    except OSError:
        return


def _host_of(rel: str, task_dir: Path, chroot: list[Mount]) -> Path | None:
    """The host file behind chroot path `/rel`: through a chroot_env bind, or in the task dir."""
    target = PurePosixPath("/" + rel)
    for mount in sorted(chroot, key=lambda m: len(m.task.parts), reverse=True):
        inside = _relative_to(target, mount.task)
        if inside is not None:
            return mount.host / inside
    return task_dir / rel


def _relative_to(path: PurePosixPath, base: PurePosixPath) -> PurePosixPath | None:
    try:
        return path.relative_to(base)
    except ValueError:
        return None


def _is_file(path: Path) -> bool:
    # Symlinks are followed on the host here; the kernel resolves them again inside the
    # chroot at exec time, where they cannot point outside it.
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
