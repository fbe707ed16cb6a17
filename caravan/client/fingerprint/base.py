"""What one fingerprint source reports: node attributes and, for some, resource totals."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fingerprint:
    attributes: dict[str, str] = field(default_factory=dict)
    cpu_compute_mhz: int | None = None
    cpu_cores: int | None = None
    memory_mb: int | None = None
    disk_free_mb: int | None = None
    # The core IDs tasks may reserve exclusively (`resources { cores }`): this process's affinity.
    reservable_cores: tuple[int, ...] | None = None
    # The address allocations' ports are given on, and its interface.
    network_ip: str | None = None
    network_device: str | None = None

    def merge(self, other: Fingerprint) -> Fingerprint:
        """`other`'s values win where it has them."""
        return Fingerprint(
            attributes={**self.attributes, **other.attributes},
            cpu_compute_mhz=_pick(other.cpu_compute_mhz, self.cpu_compute_mhz),
            cpu_cores=_pick(other.cpu_cores, self.cpu_cores),
            memory_mb=_pick(other.memory_mb, self.memory_mb),
            disk_free_mb=_pick(other.disk_free_mb, self.disk_free_mb),
            reservable_cores=(other.reservable_cores if other.reservable_cores is not None
                              else self.reservable_cores),
            network_ip=other.network_ip or self.network_ip,
            network_device=other.network_device or self.network_device)


def _pick(first: int | None, second: int | None) -> int | None:
    return first if first is not None else second


def read_text(path: str) -> str:
    """A /proc or /etc file, or "" when it cannot be read (fingerprints degrade, never fail)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""
