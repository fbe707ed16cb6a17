"""The task drivers this client can run: a constant table, name -> class."""

from __future__ import annotations

from caravan.client.drivers.base import Driver
from caravan.client.drivers.exec.driver import ExecDriver
from caravan.client.drivers.raw_exec.driver import RawExecDriver

DRIVERS: dict[str, type[Driver]] = {
    "exec": ExecDriver,
    "raw_exec": RawExecDriver,
}
