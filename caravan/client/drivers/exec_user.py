"""`alloc exec -u <user>`: whether a driver lets a session run as that user, and who the
user is in the task's own view of the system.

Three rules, checked in this order by the drivers:

- the name must be listed in the plugin config's `allow_exec_users` (empty by default,
  so nothing but the task's own user is possible until an operator says otherwise);
- the name must exist where the command will run: on the host for raw_exec, in the
  container's `/etc/passwd` for exec. That file is read beneath the container's root
  (`/proc/<init pid>/root`, the container's mount namespace) with `beneath.Root`, so a
  task that swapped `/etc` or `/etc/passwd` for a symlink cannot make the agent read a
  host file, and a FIFO or device there is refused instead of blocking the agent;
- a name other than `root` never becomes uid or gid 0: a task able to write its own
  `/etc/passwd` could otherwise map an allowed, harmless name to root.

The driver's `denied_host_uids/gids` ranges apply as they do to the task's own user.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from caravan.client.beneath import PathRefused, Root
from caravan.client.drivers.users import HostUser, lookup_user
from caravan.errors import InvalidInput, PermissionDenied

_MAX_FILE = 4 << 20  # a passwd or group file bigger than this is not one an agent parses


def require_allowed(user: str, allowed: list[str], driver: str) -> None:
    if user not in allowed:
        raise PermissionDenied(
            f'exec as user "{user}" is not allowed on this node: add it to '
            f'allow_exec_users in the client\'s plugin "{driver}" config')


def host_user(name: str) -> HostUser:
    """raw_exec: the command runs on the host, so the host's passwd decides."""
    try:
        user = lookup_user(name)
    except Exception:
        raise InvalidInput(f'unknown user "{name}" on the node') from None
    return _not_root(user)


def container_user(root_dir: str, name: str, task: str) -> HostUser:
    """exec: `name` as the container's `/etc/passwd` and `/etc/group` (beneath
    `root_dir`) define it."""
    with Root.open(root_dir) as root:
        entry = next((f for f in _records(root, "etc/passwd", task) if f[0] == name), None)
        if entry is None or len(entry) < 7:
            raise InvalidInput(f'unknown user "{name}" in task "{task}" (its /etc/passwd)')
        try:
            uid, gid = int(entry[2]), int(entry[3])
        except ValueError:
            raise InvalidInput(f'user "{name}" has a malformed entry in task "{task}"\'s '
                               f"/etc/passwd") from None
        groups = sorted({gid, *_member_of(root, name, task)})
    return _not_root(HostUser(name=name, uid=uid, gid=gid, groups=groups, home=entry[5]))


def _member_of(root: Root, name: str, task: str) -> Iterator[int]:
    try:
        for fields in _records(root, "etc/group", task):
            if len(fields) >= 4 and name in fields[3].split(",") and fields[2].isdigit():
                yield int(fields[2])
    except InvalidInput:
        return  # no /etc/group: the primary group alone, as `id` would show


def _records(root: Root, rel: str, task: str) -> Iterator[list[str]]:
    try:
        with root.reader(rel) as f:
            data = f.read(_MAX_FILE + 1)
    except (PathRefused, OSError) as err:
        raise InvalidInput(f'cannot read /{rel} in task "{task}": '
                           f"{os.strerror(err.errno) if err.errno else err}") from None
    if len(data) > _MAX_FILE:
        raise InvalidInput(f'/{rel} in task "{task}" is larger than {_MAX_FILE} bytes')
    for line in data.decode(errors="replace").splitlines():
        if line and not line.startswith("#"):
            yield line.split(":")


def _not_root(user: HostUser) -> HostUser:
    if user.name != "root" and (user.uid == 0 or user.gid == 0 or 0 in user.groups):
        raise PermissionDenied(f'user "{user.name}" maps to uid or gid 0; only "root" '
                               f"may exec as root")
    return user
