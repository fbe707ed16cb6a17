"""Linux capabilities for exec tasks: names, the defaults, and the effective set of a task.

    effective = (defaults ∩ allow_caps) - cap_drop + cap_add      (cap_add must ⊆ allow_caps)
    user "root": the fixed legacy set instead (cap_add is still checked first)
    then ∩ the agent's own bounding set: runc cannot grant what the agent does not hold

Names are normalised as Nomad does: trimmed, lower-case, without `cap_`; `all`
means every capability this kernel supports. Pure, except `kernel_supported()` and
`agent_bounding()`.
"""

from __future__ import annotations

from pathlib import Path

from caravan.errors import DriverError

# Index = capability number (linux/capability.h), up to CAP_CHECKPOINT_RESTORE (40).
NAMES = (
    "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
    "setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
    "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
    "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
    "lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
    "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
)

# Docker's default set minus net_raw (CVE-2021-32575): Nomad's default and default allow_caps.
DEFAULTS = frozenset({"audit_write", "chown", "dac_override", "fowner", "fsetid", "kill",
                      "mknod", "net_bind_service", "setfcap", "setgid", "setpcap", "setuid",
                      "sys_chroot"})

# Nomad's fixed set for `user = "root"`: every capability from CHOWN (0) to AUDIT_READ (37).
ROOT_LEGACY = frozenset(NAMES[:38])


def kernel_supported(cap_last_cap: Path = Path("/proc/sys/kernel/cap_last_cap")) -> frozenset[str]:
    try:
        last = int(cap_last_cap.read_text().strip())
    except (OSError, ValueError):
        last = 37  # CAP_AUDIT_READ, present on every kernel caravan runs on
    return frozenset(NAMES[: min(last, len(NAMES) - 1) + 1])


def agent_bounding(status: Path = Path("/proc/self/status")) -> frozenset[str]:
    """The capabilities this process may ever hold (`CapBnd`); its children, runc and the
    tasks included, can hold no more. A hardened unit or a container narrows it."""
    for line in status.read_text().splitlines():
        if line.startswith("CapBnd:"):
            return from_bitmask(int(line.split()[1], 16))
    raise DriverError(f"no CapBnd line in {status}")


def within_bounding(caps: frozenset[str], bounding: frozenset[str]) -> tuple[frozenset[str], str]:
    """`caps` cut to `bounding`, and the `Driver` event text naming what was cut ("" if none)."""
    dropped = caps - bounding
    if not dropped:
        return caps, ""
    return caps & bounding, ("capabilities the client agent does not hold were dropped: "
                             f"{', '.join(sorted(dropped))}")


def normalize(names: list[str], supported: frozenset[str], label: str) -> frozenset[str]:
    """Normalised names; `all` expands to `supported`; unknown names are an error."""
    out: set[str] = set()
    unknown: list[str] = []
    for raw in names:
        name = raw.strip().lower().removeprefix("cap_")
        if name == "all":
            out |= supported
        elif name in supported:
            out.add(name)
        else:
            unknown.append(raw)
    if unknown:
        raise DriverError(f"{label} configured with capabilities not supported by system: "
                          f"{', '.join(unknown)}")
    return frozenset(out)


def task_capabilities(*, allow: frozenset[str], cap_add: list[str], cap_drop: list[str],
                      user: str, supported: frozenset[str]) -> frozenset[str]:
    """The capability set the task runs with (names without `cap_`, lower-case)."""
    add = normalize(cap_add, supported, "cap_add")
    missing = add - allow
    if missing:
        raise DriverError("driver does not allow the following capabilities: "
                          f"{', '.join(sorted(missing))}")
    if user == "root":
        return ROOT_LEGACY & supported
    drop_all = any(d.strip().lower().removeprefix("cap_") == "all" for d in cap_drop)
    result = set() if drop_all else set(DEFAULTS & allow)
    if not drop_all:
        result -= normalize(cap_drop, supported, "cap_drop")
    return frozenset(result | add)


def oci_names(caps: frozenset[str]) -> list[str]:
    return [f"CAP_{name.upper()}" for name in NAMES if name in caps]


def bitmask(caps: frozenset[str]) -> int:
    """The `CapEff`-style mask of `caps`, as /proc/<pid>/status prints it in hex."""
    return sum(1 << NAMES.index(name) for name in caps)


def from_bitmask(mask: int) -> frozenset[str]:
    return frozenset(name for bit, name in enumerate(NAMES) if mask >> bit & 1)
