"""The `checksum` option: `"<type>:<hex>"` parsed with Nomad's texts, and the comparison.

Parsing follows Nomad's submit-time check step by step (empty, shape, hex, type,
length), so the first problem reported is the one Nomad reports. The digest is
computed while the file streams in (`download.py`), only for the requested type.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from caravan.client.artifacts.errors import GetterError, go_quote

DIGEST_SIZES = {"md5": 16, "sha1": 20, "sha256": 32, "sha512": 64}


@dataclass(frozen=True)
class Checksum:
    type: str
    hex: str  # lowercase

    def hasher(self) -> hashlib._Hash:
        # md5 and sha1 identify content here; they are not a security boundary on their own.
        return hashlib.new(self.type, usedforsecurity=False)


def parse_checksum(text: str) -> Checksum:
    """`"sha256:ab12..."` -> Checksum; GetterError with Nomad's message otherwise."""
    check = text.strip()
    if not check:
        raise GetterError("checksum value cannot be empty")
    parts = check.split(":")
    if len(parts) != 2:
        raise GetterError(f'checksum must be given as "type:value"; got {go_quote(check)}')
    kind, value = parts
    decoded_len = _hex_length(value)
    if kind not in DIGEST_SIZES:
        raise GetterError(f"unsupported checksum type: {kind}")
    if decoded_len != DIGEST_SIZES[kind]:
        raise GetterError(f"invalid {kind} checksum: {value}")
    return Checksum(kind, value.lower())


def verify_checksum(expected: Checksum, got_hex: str, file: str) -> None:
    """Raise Nomad's mismatch error (expected and received digests) when they differ."""
    if got_hex.lower() != expected.hex:
        raise GetterError(f"Checksums did not match for {file}.\n"
                          f"Expected: {expected.hex}\nGot: {got_hex.lower()}")


def _hex_length(value: str) -> int:
    """Bytes `value` decodes to, or GetterError with Go's encoding/hex message."""
    data = value.encode("utf-8", "surrogateescape")
    for byte in data:
        if chr(byte) not in "0123456789abcdefABCDEF":
            raise GetterError(f"invalid checksum: encoding/hex: invalid byte: {_go_rune(byte)}")
    if len(data) % 2:
        raise GetterError("invalid checksum: encoding/hex: odd length hex string")
    return len(data) // 2


def _go_rune(byte: int) -> str:
    """Go's `%#U` of a byte: `U+0067 'g'`, or `U+0000` when not printable."""
    char = chr(byte)
    return f"U+{byte:04X} '{char}'" if char.isprintable() else f"U+{byte:04X}"
