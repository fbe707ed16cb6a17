"""Go duration strings (`"30s"`, `"1m30s"`, `"250ms"`) <-> integer nanoseconds.

Nomad reads every duration (job files, `?wait=`, agent files) with Go's
`time.ParseDuration`, so the grammar and error texts follow it: an optional sign,
then one or more `<number><unit>` parts, or the bare string `"0"`.
"""

from __future__ import annotations

import re
from fractions import Fraction

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # micro sign
    "\u03bcs": 1_000,  # Greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")
_MAX_NS = 2**63 - 1


def parse_duration(text: str) -> int:
    """Return `text` in nanoseconds; raise ValueError with Go's message when it is not one."""
    rest, sign = text, 1
    if rest[:1] in ("-", "+"):
        sign = -1 if rest[0] == "-" else 1
        rest = rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise ValueError(f'time: invalid duration "{text}"')
    total = Fraction(0)
    pos = 0
    while pos < len(rest):
        match = _PART.match(rest, pos)
        assert match is not None  # every group is optional, so it always matches
        whole, frac, unit = match.groups()
        if not whole and not frac:
            raise ValueError(f'time: invalid duration "{text}"')
        if not unit:
            raise ValueError(f'time: missing unit in duration "{text}"')
        if unit not in _UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{text}"')
        number = Fraction(int(whole or "0"))
        if frac:
            number += Fraction(int(frac), 10 ** len(frac))
        total += number * _UNITS[unit]
        pos = match.end()
    if total > _MAX_NS:
        raise ValueError(f'time: invalid duration "{text}"')
    return sign * int(total)


def format_duration(ns: int) -> str:
    """Go's `time.Duration.String()`: `15s`, `1m30s`, `1h0m0s`, `250ms`."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000:
        return f"{sign}{ns}ns"
    if ns < 1_000_000:
        return f"{sign}{_trim(ns / 1_000)}µs"
    if ns < 1_000_000_000:
        return f"{sign}{_trim(ns / 1_000_000)}ms"
    hours, rem = divmod(ns, 3_600_000_000_000)
    minutes, rem = divmod(rem, 60_000_000_000)
    seconds = _trim(rem / 1_000_000_000)
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}s"
    if minutes:
        return f"{sign}{minutes}m{seconds}s"
    return f"{sign}{seconds}s"


def _trim(value: float) -> str:
    return f"{value:.9f}".rstrip("0").rstrip(".")
