"""CPU: cores, clock speed and `cpu.totalcompute` = cores x MHz, from /proc/cpuinfo, and the
core IDs tasks may reserve whole (`resources { cores = N }`): those this process may run on.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence

from caravan.client.fingerprint.base import Fingerprint, read_text

FALLBACK_MHZ = 1000  # when /proc/cpuinfo has no clock speed (some VMs, ARM boards)
# Go's GOARCH names, which Nomad reports as cpu.arch.
_GOARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
           "i386": "386", "i686": "386", "armv7l": "arm", "armv6l": "arm",
           "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


def parse_cpuinfo(text: str) -> tuple[int, str]:
    """(MHz of the fastest core, model name) from /proc/cpuinfo text; (0, "") if absent."""
    mhz, model = 0.0, ""
    for line in text.splitlines():
        key, _, value = (part.strip() for part in line.partition(":"))
        if key == "cpu MHz":
            try:
                mhz = max(mhz, float(value))
            except ValueError:
                pass
        elif key == "model name" and not model:
            model = value
    return int(mhz), model


def fingerprint_cpu(cpuinfo: str, cores: int, machine: str,
                    reservable: Sequence[int] | None = None) -> Fingerprint:
    """`reservable`: the core IDs tasks may reserve; None means all `cores`."""
    mhz, model = parse_cpuinfo(cpuinfo)
    mhz = mhz or FALLBACK_MHZ
    total = cores * mhz
    usable = len(reservable) if reservable is not None else cores
    attrs = {"cpu.numcores": str(cores), "cpu.reservablecores": str(usable),
             "cpu.frequency": str(mhz), "cpu.totalcompute": str(total),
             "cpu.arch": _GOARCH.get(machine, machine)}
    if model:
        attrs["cpu.modelname"] = model
    return Fingerprint(attributes=attrs, cpu_compute_mhz=total, cpu_cores=cores,
                       reservable_cores=tuple(reservable) if reservable is not None else None)


def reservable_cores() -> list[int]:
    """The core IDs this process may run on (its CPU affinity, which a cpuset cgroup or
    `taskset` narrows), lowest first: only these can become a task's exclusive cpuset."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):   # not Linux
        return list(range(os.cpu_count() or 1))


def fingerprint() -> Fingerprint:
    return fingerprint_cpu(read_text("/proc/cpuinfo"), os.cpu_count() or 1, platform.machine(),
                           reservable_cores())
