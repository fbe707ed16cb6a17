"""The two errors of artifact fetching (Go's `%q` quoting comes from structs.artifact).

`GetterError` is what went wrong (a bad checksum, a refused archive entry, a 404);
`ArtifactError` is what the task runner sees: Nomad's
`failed to download artifact "<source>": <err>`, recoverable so that the restart
policy applies, as in Nomad.
"""

from __future__ import annotations

from caravan.errors import CaravanError
from caravan.structs.artifact import go_quote

__all__ = ["ArtifactError", "GetterError", "go_quote"]


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
