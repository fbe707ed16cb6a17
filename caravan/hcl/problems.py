"""Collects every problem found in one HCL or JSON file and raises them together.

A parser keeps going after a problem so that one run reports all of them; this
is the one place that turns the collected FieldErrors into `InvalidInput`.
"""

from __future__ import annotations

from caravan.errors import FieldError, InvalidInput


class Problems:
    """The FieldErrors found so far in one file, each tagged with that file's name (None: a
    request body, whose problems are named by their path alone)."""

    def __init__(self, filename: str | None) -> None:
        self.filename = filename
        self._errors: list[FieldError] = []

    def add(self, path: str, message: str, line: int | None = None) -> None:
        self._errors.append(FieldError(path, message, self.filename, line))

    def add_in(self, filename: str, path: str, message: str, line: int | None = None) -> None:
        """A problem found in another file read for this one (a variables file)."""
        self._errors.append(FieldError(path, message, filename, line))

    def __bool__(self) -> bool:
        return bool(self._errors)

    def raise_if_any(self) -> None:
        if self._errors:
            raise invalid_input(self._errors)


def invalid_input(errors: list[FieldError]) -> InvalidInput:
    """One line per error, in file order: `hello.nomad.hcl:7: job.group["web"]: ...`."""
    ordered = sorted(errors, key=lambda e: e.line or 0)
    return InvalidInput("\n".join(str(e) for e in ordered), errors=ordered)
