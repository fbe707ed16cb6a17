"""Host identity: `unique.hostname` and `unique.advertise.address` (the agent's HTTP address)."""

from __future__ import annotations

import socket

from caravan.client.fingerprint.base import Fingerprint


def fingerprint(http_addr: str) -> Fingerprint:
    return Fingerprint(attributes={"unique.hostname": socket.gethostname(),
                                   "unique.advertise.address": http_addr})
