"""Verifying a downloaded file against its checksum (parsing lives in structs.artifact)."""

from __future__ import annotations

from caravan.client.artifacts.errors import GetterError
from caravan.structs.artifact import Checksum


def verify_checksum(expected: Checksum, got_hex: str, file: str) -> None:
    """Raise Nomad's mismatch error (expected and received digests) when they differ."""
    if got_hex.lower() != expected.hex:
        raise GetterError(f"Checksums did not match for {file}.\n"
                          f"Expected: {expected.hex}\nGot: {got_hex.lower()}")
