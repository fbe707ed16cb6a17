"""Memory: `memory.totalbytes` from /proc/meminfo."""

from __future__ import annotations

from caravan.client.fingerprint.base import Fingerprint, read_text


def parse_meminfo_total(text: str) -> int:
    """MemTotal in bytes (0 if absent)."""
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            parts = line.split()
            return int(parts[1]) * 1024 if len(parts) > 1 and parts[1].isdigit() else 0
    return 0


def fingerprint() -> Fingerprint:
    total = parse_meminfo_total(read_text("/proc/meminfo"))
    if not total:
        return Fingerprint()
    return Fingerprint(attributes={"memory.totalbytes": str(total)},
                       memory_mb=total // (1024 * 1024))
