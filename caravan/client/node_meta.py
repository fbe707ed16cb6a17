"""The client's dynamic node metadata, kept across agent restarts in
`<data_dir>/client/node_meta.json` (root-only, replaced atomically).

Applying keeps a null only for a static key (it hides that key); a null for a key that
only the dynamic set had removes it, as Nomad's client does."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

FILE = "node_meta.json"


class DynamicMeta:
    """Not safe for concurrent writers: one client owns its data dir."""

    def __init__(self, client_dir: Path) -> None:
        self._path = client_dir / FILE
        self.values: dict[str, str | None] = self._load()

    def _load(self) -> dict[str, str | None]:
        try:
            data = json.loads(self._path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            log.error("ignoring unreadable dynamic node metadata %s: %s", self._path, err)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): (v if isinstance(v, str) else None) for k, v in data.items()}

    def apply(self, changes: dict[str, str | None], static: dict[str, str]) -> None:
        """Blocking (fsync): call it from a thread. On OSError nothing changes."""
        values = {**self.values, **changes}
        for key, value in changes.items():
            if value is None and key not in static:
                values.pop(key, None)
        self._write(json.dumps(values, sort_keys=True).encode())
        self.values = values

    def _write(self, data: bytes) -> None:
        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
