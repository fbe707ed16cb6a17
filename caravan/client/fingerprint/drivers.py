"""Drivers: each driver's fingerprint as the node's `Drivers[name]` and `driver.<name>`."""

from __future__ import annotations

from collections.abc import Mapping

from caravan.client.drivers.base import Driver, DriverFingerprint
from caravan.errors import CaravanError
from caravan.structs import DriverInfo


def fingerprint_drivers(drivers: Mapping[str, Driver]) -> dict[str, DriverFingerprint]:
    """Every driver's health; a driver whose fingerprint fails is reported unhealthy."""
    result = {}
    for name, driver in drivers.items():
        try:
            result[name] = driver.fingerprint()
        except (CaravanError, OSError):
            result[name] = DriverFingerprint(health="unhealthy",
                                             health_description="failed to fingerprint driver")
    return result


def driver_info(fp: DriverFingerprint, update_time: str) -> DriverInfo:
    return DriverInfo(attributes=dict(fp.attributes), detected=fp.health != "undetected",
                      healthy=fp.health == "healthy", health_description=fp.health_description,
                      update_time=update_time)


def driver_attributes(fingerprints: Mapping[str, DriverFingerprint]) -> dict[str, str]:
    """`driver.<name> = "1"` for every detected driver, as Nomad sets on the node."""
    return {f"driver.{name}": "1" for name, fp in fingerprints.items()
            if fp.health != "undetected"}


def same_health(a: DriverFingerprint, b: DriverFingerprint) -> bool:
    return a.health == b.health and a.health_description == b.health_description
