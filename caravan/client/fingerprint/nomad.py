"""The agent itself: `nomad.version` (caravan's version, where Nomad reports its own)."""

from __future__ import annotations

from caravan import __version__
from caravan.client.fingerprint.base import Fingerprint


def fingerprint(http_addr: str) -> Fingerprint:
    return Fingerprint(attributes={"nomad.version": __version__,
                                   "nomad.advertise.address": http_addr})
