"""Every host fingerprint source, merged: the attributes and totals of this machine."""

from __future__ import annotations

from pathlib import Path

from caravan.client.fingerprint import (
    cpu,
    host,
    kernel,
    memory,
    network,
    nomad,
    osinfo,
    storage,
)
from caravan.client.fingerprint.base import Fingerprint


def fingerprint_host(http_addr: str, data_dir: Path, interface: str = "") -> Fingerprint:
    result = Fingerprint()
    for part in (cpu.fingerprint(), memory.fingerprint(), kernel.fingerprint(),
                 osinfo.fingerprint(), host.fingerprint(http_addr), nomad.fingerprint(http_addr),
                 storage.fingerprint(data_dir), network.fingerprint(http_addr, interface)):
        result = result.merge(part)
    return result
