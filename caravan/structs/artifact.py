"""Pure checks of an artifact block: checksum syntax and where its destination may point.

Shared by the server (submit-time validation) and the client (before a download),
so both say exactly Nomad's words. Raises ChecksumError, an InvalidInput.
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass

from caravan.errors import InvalidInput
from caravan.structs.job import TaskArtifact

_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v", "\\": "\\\\", '"': '\\"'}


class ChecksumError(InvalidInput):
    """A checksum option that is not `type:hex` of a supported type."""


DIGEST_SIZES = {"md5": 16, "sha1": 20, "sha256": 32, "sha512": 64}


@dataclass(frozen=True)
class Checksum:
    type: str
    hex: str  # lowercase

    def hasher(self) -> hashlib._Hash:
        # md5 and sha1 identify content here; they are not a security boundary on their own.
        return hashlib.new(self.type, usedforsecurity=False)


def parse_checksum(text: str) -> Checksum:
    """`"sha256:ab12..."` -> Checksum; ChecksumError with Nomad's message otherwise."""
    check = text.strip()
    if not check:
        raise ChecksumError("checksum value cannot be empty")
    parts = check.split(":")
    if len(parts) != 2:
        raise ChecksumError(f'checksum must be given as "type:value"; got {go_quote(check)}')
    kind, value = parts
    decoded_len = _hex_length(value)
    if kind not in DIGEST_SIZES:
        raise ChecksumError(f"unsupported checksum type: {kind}")
    if decoded_len != DIGEST_SIZES[kind]:
        raise ChecksumError(f"invalid {kind} checksum: {value}")
    return Checksum(kind, value.lower())


def _hex_length(value: str) -> int:
    """Bytes `value` decodes to, or ChecksumError with Go's encoding/hex message."""
    data = value.encode("utf-8", "surrogateescape")
    for byte in data:
        if chr(byte) not in "0123456789abcdefABCDEF":
            raise ChecksumError(f"invalid checksum: encoding/hex: invalid byte: {_go_rune(byte)}")
    if len(data) % 2:
        raise ChecksumError("invalid checksum: encoding/hex: odd length hex string")
    return len(data) // 2


def _go_rune(byte: int) -> str:
    """Go's `%#U` of a byte: `U+0067 'g'`, or `U+0000` when not printable."""
    char = chr(byte)
    return f"U+{byte:04X} '{char}'" if char.isprintable() else f"U+{byte:04X}"


def validate_artifact(artifact: TaskArtifact) -> list[str]:
    """Nomad's submit-time messages for one artifact (empty when it is fine)."""
    problems = []
    if not artifact.getter_source:
        problems.append("source must be specified")
    if escapes_alloc_dir(artifact.relative_dest):
        problems.append("destination escapes allocation directory")
    elif any(ord(c) < 0x20 or ord(c) == 0x7F for c in artifact.relative_dest):
        problems.append("destination cannot include null or control characters")
    check = (artifact.getter_options or {}).get("checksum")
    # A checksum built from ${...} is only known at download time.
    if check is not None and "${" not in check:
        try:
            parse_checksum(check)
        except ChecksumError as err:
            problems.append(err.message)
    return problems


def escapes_alloc_dir(dest: str) -> bool:
    """As Nomad: the destination, joined to `<alloc>/<task>`, must stay under `<alloc>`."""
    alloc = "/alloc-dir/alloc-id"
    joined = posixpath.normpath(posixpath.join(alloc, "task", dest.lstrip("/")))
    return posixpath.relpath(joined, alloc).startswith("..")


def go_quote(text: str) -> str:
    """`text` as Go's `%q` prints it: double quotes, Go escapes, printable runes kept."""
    out = []
    for char in text:
        if char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'
