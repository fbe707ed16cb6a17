"""The task drivers this client can run: a constant table, name -> class."""

from __future__ import annotations

from caravan.client.drivers.base import Driver
from caravan.client.drivers.raw_exec.driver import RawExecDriver

DRIVERS: dict[str, type[Driver]] = {
    "raw_exec": RawExecDriver,
}
