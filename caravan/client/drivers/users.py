"""Task users on the host: passwd lookup and the `denied_host_uids/gids` ranges of the drivers."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

from caravan.errors import DriverError


@dataclass(frozen=True)
class HostUser:
    name: str
    uid: int
    gid: int
    groups: list[int]
    home: str


def lookup_user(name: str) -> HostUser:
    try:
        entry = pwd.getpwnam(name)
    except KeyError as err:
        raise DriverError(f'failed to identify user "{name}": unknown user') from err
    groups = os.getgrouplist(entry.pw_name, entry.pw_gid)
    return HostUser(name=entry.pw_name, uid=entry.pw_uid, gid=entry.pw_gid,
                    groups=groups, home=entry.pw_dir)


def parse_id_ranges(text: str | None, label: str) -> list[tuple[int, int]]:
    """`"0,10-20"` -> [(0, 0), (10, 20)], with Nomad's error texts."""
    ranges: list[tuple[int, int]] = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise DriverError(f'invalid range {label} "{part}": range bound not valid')
        bounds = (int(low), int(high or low))
        if bounds[0] > bounds[1]:
            raise DriverError(
                f'invalid range {label} "{part}": lower bound cannot be greater than upper bound')
        ranges.append(bounds)
    return ranges


def check_denied(user: HostUser, denied_uids: list[tuple[int, int]],
                 denied_gids: list[tuple[int, int]]) -> None:
    if any(lo <= user.uid <= hi for lo, hi in denied_uids):
        raise DriverError(f"failed host user validation: running as uid {user.uid} is disallowed")
    for gid in {user.gid, *user.groups}:
        if any(lo <= gid <= hi for lo, hi in denied_gids):
            raise DriverError(f"failed host user validation: running as gid {gid} is disallowed")

