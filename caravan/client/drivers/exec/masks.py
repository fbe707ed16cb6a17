"""Paths masked inside every exec task: the default list, its checks, and glob expansion.

runc binds `/dev/null` over a masked file and an empty read-only tmpfs over a masked
dir (OCI `maskedPaths`), after the chroot's binds are in place. A `nobody` task holds
DAC_OVERRIDE by default and `/etc` is the host's own, read-only, so without masks it
reads the host's password hashes and keys. The default masks what a task never needs
and an attacker always wants:

    password hashes       /etc/shadow /etc/gshadow (+ their `-` backups),
                          /etc/security/opasswd (old hashes kept by pam_pwhistory)
    host private keys     /etc/ssh/ssh_host_*_key, /etc/ssl/private, /etc/pki/tls/private,
                          /etc/krb5.keytab
    the agent's own files /etc/caravan.d, /etc/nomad.d (TLS keys, tokens, gossip keys)
    sudo policy           /etc/sudoers, /etc/sudoers.d: who may become root without a
                          password; sudo cannot work in a task anyway (no_new_privs)

Entries are paths inside the task; a `*`, `?` or `[` in one is expanded against the host
dir of the `chroot_env` bind that holds it, as runc takes literal paths only. Globs match
nothing elsewhere: the task owns every other dir and could plant symlinks for the agent
to follow. A path that does not exist is skipped by runc.
"""

from __future__ import annotations

import glob
from pathlib import Path, PurePosixPath

from caravan.client.drivers.exec.resolve import Mount
from caravan.errors import DriverError

DEFAULT_MASKED_PATHS = (
    "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd",
    "/etc/ssh/ssh_host_*_key", "/etc/ssl/private", "/etc/pki/tls/private", "/etc/krb5.keytab",
    "/etc/caravan.d", "/etc/nomad.d", "/etc/sudoers", "/etc/sudoers.d",
)
_GLOB_CHARS = frozenset("*?[")


def check_masked_paths(paths: list[str]) -> None:
    """Each entry is an absolute path inside the task, without `..`."""
    for path in paths:
        parts = PurePosixPath(path).parts
        if not path.startswith("/") or ".." in parts or "\0" in path or len(parts) < 2:
            raise DriverError(f'masked_paths entries must be absolute paths below "/" inside '
                              f'the task, without "..": got "{path}"')


def expand_masked_paths(paths: list[str], chroot: list[Mount]) -> list[str]:
    """Literal paths for runc: globs matched on the host side of the chroot bind holding them."""
    out: list[str] = []
    for path in paths:
        if _GLOB_CHARS.isdisjoint(path):
            out.append(path)
            continue
        inside = PurePosixPath(path)
        mount = _holding_mount(inside, chroot)
        if mount is None:
            continue
        rel = inside.relative_to(mount.task)
        for found in sorted(glob.glob(f"{glob.escape(str(mount.host))}/{rel}")):
            out.append(str(mount.task / Path(found).relative_to(mount.host)))
    return out


def _holding_mount(inside: PurePosixPath, mounts: list[Mount]) -> Mount | None:
    """The deepest mount at or above `inside` (later mounts cover earlier ones)."""
    best: Mount | None = None
    for mount in mounts:
        if inside.is_relative_to(mount.task) and (
                best is None or len(mount.task.parts) >= len(best.task.parts)):
            best = mount
    return best
