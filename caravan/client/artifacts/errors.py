"""The two errors of artifact fetching, and Go's `%q` quoting their texts use.

`GetterError` is what went wrong (a bad checksum, a refused archive entry, a 404);
`ArtifactError` is what the task runner sees: Nomad's
`failed to download artifact "<source>": <err>`, recoverable so that the restart
policy applies, as in Nomad.
"""

from __future__ import annotations

from caravan.errors import CaravanError

_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v", "\\": "\\\\", '"': '\\"'}


class GetterError(CaravanError):
    """One step of a fetch failed; the message is the `<err>` part of Nomad's text."""


class ArtifactError(CaravanError):
    """An artifact could not be fetched; `message` is the task event's download error."""

    def __init__(self, message: str, *, recoverable: bool = True,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.recoverable = recoverable

    @classmethod
    def wrap(cls, source: str, err: GetterError) -> ArtifactError:
        return cls(f"failed to download artifact {go_quote(source)}: {err.message}",
                   hint=err.hint)


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
