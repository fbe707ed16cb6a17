"""`alloc cp` on the exec channel: the request a copy session carries in its query.

A copy session is an exec session whose command is the agent's copy helper: the tar
stream travels as stdin frames (upload) or stdout frames (download), the helper's
messages as stderr frames, and its exit code in the exit frame.

    GET /v1/client/allocation/<alloc>/cp?task=T&direction=download|upload&path=P
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from caravan.errors import InvalidInput

Direction = Literal["download", "upload"]
DIRECTIONS: tuple[Direction, ...] = ("download", "upload")


@dataclass(frozen=True)
class CopyRequest:
    direction: Direction
    # Inside the task's view; relative to its working directory.
    path: str

    def params(self) -> dict[str, str]:
        return {"direction": self.direction, "path": self.path}

    def describe(self) -> list[str]:
        """The session's command, as an audit record or a log line names it."""
        return ["cp", self.direction, self.path]

    @classmethod
    def from_params(cls, get: Callable[[str], str | None]) -> CopyRequest:
        direction, path = get("direction") or "", get("path") or ""
        if direction not in DIRECTIONS:
            raise InvalidInput(f"direction must be one of {', '.join(DIRECTIONS)}, "
                               f"not {direction!r}")
        if not path or "\x00" in path:
            raise InvalidInput("path is missing or holds a NUL byte")
        return cls(direction, path)
