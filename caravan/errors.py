"""The error hierarchy every layer raises; the HTTP layer and the CLI map it once.

    CaravanError                 message + optional hint
     ├── NotFound                a named object does not exist (404)
     ├── NotImplementedYet       a route of Nomad's that caravan does not serve (501)
     ├── AmbiguousPrefix         an ID prefix matched several objects (400)
     ├── InvalidInput            bad request data; may carry field errors (400)
     │    └── JobValidationError every problem of a job at once (400)
     ├── PermissionDenied        the token lacks a capability (403)
     ├── TokenNotFound           an unknown ACL token (403)
     ├── Conflict                the request contradicts stored state (409)
     ├── PlanRejected            a plan no longer fits the latest state
     ├── WriteFailed             the state could not be written; nothing changed (503)
     │    └── StorageFull        the data dir's filesystem is full (507)
     ├── ProcessFailed           a helper process did not start or did not end in time
     ├── DriverError             a task driver failed
     │    └── NotSupported       the driver does not offer that operation
     └── CommandFailed           a CLI command failed; its message is finished (exit code)
          └── UsageError         the command line is wrong (exit 1, with a help hint)

`status` is the HTTP status a route answers with (`http/errors.py` maps it); the
CLI's one boundary (`cli/main.py`) maps every error to a message and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass


class CaravanError(Exception):
    """Base of every error caravan raises on purpose."""

    status: int = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class NotFound(CaravanError):
    status = 404


class NotImplementedYet(CaravanError):
    """A route Nomad serves and caravan does not, yet: 501, distinct from a missing object."""

    status = 501


class AmbiguousPrefix(CaravanError):
    status = 400

    def __init__(self, kind: str, prefix: str, matches: list[str]) -> None:
        super().__init__(f"prefix {prefix!r} matched multiple {kind}s: {', '.join(matches)}")
        self.kind = kind
        self.prefix = prefix
        self.matches = matches


@dataclass(frozen=True)
class FieldError:
    """One problem at one place: `path` is a dotted field path, `line` a 1-based line."""

    path: str
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{self.message}"


class InvalidInput(CaravanError):
    status = 400

    def __init__(
        self, message: str, *, errors: list[FieldError] | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.errors = errors or []


class JobValidationError(InvalidInput):
    """Every validation problem of a job, formatted as Nomad's multi-error text."""

    def __init__(self, errors: list[FieldError]) -> None:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        body = "".join(f"\t* {e}\n" for e in errors)
        super().__init__(f"{count} {noun} occurred:\n{body}\n", errors=errors)


class PermissionDenied(CaravanError):
    status = 403

    def __init__(self, message: str = "Permission denied") -> None:
        super().__init__(message)


class TokenNotFound(CaravanError):
    status = 403

    def __init__(self, message: str = "ACL token not found") -> None:
        super().__init__(message)


class Conflict(CaravanError):
    status = 409


class PlanRejected(CaravanError):
    status = 409


class WriteFailed(CaravanError):
    """A state write did not reach the disk. Nothing of it was applied: not on disk, not in
    memory. Reads keep working, and the same write may simply be tried again."""

    status = 503

    def __init__(self, cause: str, *, hint: str | None = None) -> None:
        super().__init__(f"could not write the server state: {cause}",
                         hint=hint or "the write was not applied; try it again")
        self.cause = cause


class StorageFull(WriteFailed):
    """The filesystem under the data dir is full; writes work again once space is freed."""

    status = 507

    def __init__(self, cause: str, *, where: str) -> None:
        super().__init__(cause, hint=f"free space on the filesystem holding {where}; "
                                     "writes work again as soon as there is room")


class ProcessFailed(CaravanError):
    """A short-lived helper process (runc, a check) could not start or overran its deadline."""


class DriverError(CaravanError):
    status = 500


class NotSupported(DriverError):
    status = 400


class CommandFailed(CaravanError):
    """A CLI command failed: `message` is printed to stderr as is, then the command exits
    with `code`. Only `caravan.cli` raises it; `cli/common.reported_as` turns an error
    from below into one that says what the command was doing."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CommandFailed):
    """The command line was wrong; the CLI adds `For additional help try ...`."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=1)
