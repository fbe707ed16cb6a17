"""ID generation: Nomad-shaped 36-char hex IDs from 16 random bytes (no UUID version bits)."""

from __future__ import annotations

import os
from typing import Protocol


class IdGenerator(Protocol):
    def __call__(self) -> str: ...


def random_id() -> str:
    """A new ID like `0f8b1c2d-...`; the default IdGenerator."""
    h = os.urandom(16).hex()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def short_id(full: str) -> str:
    """The 8-character form the CLI prints."""
    return full[:8]
