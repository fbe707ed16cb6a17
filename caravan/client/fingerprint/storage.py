"""Storage: free and total bytes of the volume holding the data dir (ephemeral disk room)."""

from __future__ import annotations

import shutil
from pathlib import Path

from caravan.client.fingerprint.base import Fingerprint


def fingerprint(data_dir: Path) -> Fingerprint:
    try:
        usage = shutil.disk_usage(data_dir)
    except OSError:
        return Fingerprint()
    return Fingerprint(attributes={"unique.storage.volume": str(data_dir),
                                   "unique.storage.bytestotal": str(usage.total),
                                   "unique.storage.bytesfree": str(usage.free)},
                       disk_free_mb=usage.free // (1024 * 1024))
