"""Process identity and sampling from /proc: never trust a PID alone.

A process is identified by (PID, start time), the start time being field 22 of
/proc/<pid>/stat. A recorded identity whose PID now shows another start time
belongs to a new process that reused the PID: it must not be signalled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

class ProcIdentity(BaseModel):
    model_config = ConfigDict(frozen=True)

    pid: int
    start_time: int


@dataclass(frozen=True)
class ProcStat:
    pid: int
    state: str
    pgrp: int
    utime_ticks: int
    stime_ticks: int
    start_time: int
    rss_bytes: int


def read_stat(pid: int) -> ProcStat | None:
    """The parsed /proc/<pid>/stat, or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and ')': split after the last ')'.
    fields = data[data.rindex(b")") + 2:].split()
    return ProcStat(pid=pid, state=fields[0].decode(), pgrp=int(fields[2]),
                    utime_ticks=int(fields[11]), stime_ticks=int(fields[12]),
                    start_time=int(fields[19]),
                    rss_bytes=int(fields[21]) * os.sysconf("SC_PAGE_SIZE"))


def identity_of(pid: int) -> ProcIdentity | None:
    stat = read_stat(pid)
    return ProcIdentity(pid=pid, start_time=stat.start_time) if stat else None


def is_running(identity: ProcIdentity) -> bool:
    """True when that very process (PID and start time) exists and is not a zombie."""
    stat = read_stat(identity.pid)
    return stat is not None and stat.start_time == identity.start_time and stat.state not in "ZX"


def kill_group(identity: ProcIdentity, sig: int) -> bool:
    """Signal the process group led by `identity`, only if the leader is still that process."""
    if not is_running(identity):
        return False
    try:
        os.killpg(identity.pid, sig)
    except ProcessLookupError:
        return False
    return True


def group_members(pgrp: int) -> list[ProcStat]:
    """Every live process whose process group is `pgrp` (a task and its children)."""
    members = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = read_stat(int(name))
            if stat is not None and stat.pgrp == pgrp and stat.state not in "ZX":
                members.append(stat)
    return members


def ticks_to_seconds(ticks: int) -> float:
    return ticks / os.sysconf("SC_CLK_TCK")


def reap_child(pid: int) -> bool:
    """Collect `pid` if it is an exited child of ours; True when nothing is left to collect."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # not our child (we were restarted): init collects it
    return done != 0
