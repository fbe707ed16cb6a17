"""Kernel: `kernel.name`, `kernel.version`, `kernel.arch`."""

from __future__ import annotations

import platform

from caravan.client.fingerprint.base import Fingerprint


def fingerprint() -> Fingerprint:
    uname = platform.uname()
    return Fingerprint(attributes={"kernel.name": uname.system.lower(),
                                   "kernel.version": uname.release,
                                   "kernel.arch": uname.machine})
