"""Version constraints for the `version` and `semver` constraint operands.

A constraint is a comma-separated list of terms, all of which must hold:
`>= 1.2, < 2.0`, `~> 1.2`, `!= 1.5.0`, `1.3` (a bare version means `=`).

* `version` reads versions loosely (`v1`, `1.2.3.4`, `1.2.3beta`) and follows Nomad's
  version library on pre-releases: a pre-release version only satisfies a term that
  itself names a pre-release of the same base version, and `~>` (pessimistic: `~> 1.2`
  means `>= 1.2, < 2`; `~> 1.2.3` means `>= 1.2.3, < 1.3`) is supported.
* `semver` reads Semantic Versioning 2.0 (at most three numbers), orders pre-releases
  by its precedence rules without excluding them, and has no `~>`.

Build metadata (`+...`) never affects ordering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PRE = r"[0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*"
_LOOSE = re.compile(
    rf"^v?(\d+(?:\.\d+)*)(?:-({_PRE})|-?([A-Za-z\-~][0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*))?"
    rf"(?:\+({_PRE}))?$")
_SEMVER = re.compile(rf"^v?(\d+(?:\.\d+){{0,2}})(?:-({_PRE}))?(?:\+({_PRE}))?$")
_TERM = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$")
_MIN_SEGMENTS = 3


@dataclass(frozen=True)
class Version:
    segments: tuple[int, ...]   # padded to at least three
    specified: int              # how many segments were written
    prerelease: str

    def compare(self, other: Version) -> int:
        width = max(len(self.segments), len(other.segments))
        mine = self.segments + (0,) * (width - len(self.segments))
        theirs = other.segments + (0,) * (width - len(other.segments))
        if mine != theirs:
            return -1 if mine < theirs else 1
        return _compare_prerelease(self.prerelease, other.prerelease)


def parse_version(text: str, *, semver: bool = False) -> Version | None:
    """A version, or None when `text` is not one."""
    match = (_SEMVER if semver else _LOOSE).match(text.strip())
    if match is None:
        return None
    numbers = tuple(int(part) for part in match.group(1).split("."))
    pre = match.group(2) or ("" if semver else match.group(3)) or ""
    padded = numbers + (0,) * max(0, _MIN_SEGMENTS - len(numbers))
    return Version(padded, len(numbers), pre)


def _compare_prerelease(a: str, b: str) -> int:
    if a == b:
        return 0
    if not a or not b:
        return 1 if not a else -1  # a release outranks its pre-releases
    for left, right in zip(a.split("."), b.split(".")):
        if left == right:
            continue
        if left.isdigit() and right.isdigit():
            return -1 if int(left) < int(right) else 1
        if left.isdigit() != right.isdigit():
            return -1 if left.isdigit() else 1  # numbers sort below words
        return -1 if left < right else 1
    return -1 if len(a.split(".")) < len(b.split(".")) else 1


@dataclass(frozen=True)
class Term:
    operator: str
    version: Version


def parse_constraint(text: str, *, semver: bool = False) -> list[Term] | None:
    """The terms of a constraint, or None when any term does not parse."""
    terms: list[Term] = []
    for raw in text.split(","):
        match = _TERM.match(raw)
        if match is None:
            return None
        operator = match.group(1) or "="
        version = parse_version(match.group(2), semver=semver)
        if version is None or (semver and operator == "~>"):
            return None
        terms.append(Term(operator, version))
    return terms


def satisfies(version: Version, terms: list[Term], *, semver: bool = False) -> bool:
    return all(_check(version, term, semver) for term in terms)


def _check(v: Version, term: Term, semver: bool) -> bool:
    c = term.version
    if not semver and not _prerelease_allowed(v, c):
        return False
    order = v.compare(c)
    if term.operator == "~>":
        return _pessimistic(v, c, order)
    return {"=": order == 0, "!=": order != 0, ">": order > 0, "<": order < 0,
            ">=": order >= 0, "<=": order <= 0}[term.operator]


def _prerelease_allowed(v: Version, c: Version) -> bool:
    if v.prerelease and c.prerelease:
        return v.segments == c.segments
    return not v.prerelease


def _pessimistic(v: Version, c: Version, order: int) -> bool:
    if (c.prerelease and not v.prerelease) or order < 0:
        return False
    if len(c.segments) > len(v.segments):
        return False
    last = c.specified - 1
    return v.segments[:last] == c.segments[:last] and v.segments[last] >= c.segments[last]
