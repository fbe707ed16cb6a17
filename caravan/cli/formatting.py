"""Nomad's text layouts, as pure functions: column tables, `key = value` blocks,
timestamps, relative times ("1m5s ago"), byte sizes and short IDs.

Tables are left-aligned columns joined by two spaces; an empty cell shows as
`<none>` so the output stays awk-able (Nomad's formatList). Trailing blanks are
trimmed from every line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone, tzinfo
from typing import Any

SHORT_ID = 8
FULL_ID = 36
NS_PER_S = 1_000_000_000
ZERO_TIME = "0001-01-01T00:00:00Z"

Row = Sequence[object]


def _columns(rows: Sequence[Row], glue: str, empty: str) -> str:
    cells = [[str(c).strip() or empty for c in row] for row in rows]
    widths: list[int] = []
    for row in cells:
        for i, cell in enumerate(row):
            if i == len(widths):
                widths.append(len(cell))
            else:
                widths[i] = max(widths[i], len(cell))
    lines = []
    for row in cells:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + row[-1:]
        lines.append(glue.join(padded).rstrip())
    return "\n".join(lines)


def format_list(rows: Sequence[Row]) -> str:
    """A table: first row is the header; empty cells become `<none>`."""
    return _columns(rows, "  ", "<none>")


def format_list_with_spaces(rows: Sequence[Row]) -> str:
    """A table whose empty cells stay empty (Nomad uses it for task resources)."""
    return _columns(rows, "  ", "")


def format_kv(pairs: Sequence[tuple[str, object]]) -> str:
    """`Key   = value` lines, aligned on the `=`."""
    return _columns([(k, v) for k, v in pairs], " = ", "<none>")


def limit(text: str, length: int) -> str:
    return text[:length]


def id_length(verbose: bool) -> int:
    return FULL_ID if verbose else SHORT_ID


def format_time(moment: datetime | None) -> str:
    """ISO 8601 to the second with `Z` for UTC (Go's 2006-01-02T15:04:05Z07:00);
    empty for unset times, which are more confusing shown than omitted."""
    if moment is None or moment.timestamp() < 1:
        return ""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def from_unix_nano(ns: int, tz: tzinfo | None = None) -> datetime | None:
    if ns <= 0:
        return None
    moment = datetime.fromtimestamp(ns / NS_PER_S, tz=timezone.utc)
    return moment.astimezone(tz)


def format_unix_nano(ns: int, tz: tzinfo | None = None) -> str:
    """A Nomad nanosecond timestamp (CreateTime, TaskEvent.Time) in local time."""
    return format_time(from_unix_nano(ns, tz))


def parse_rfc3339(text: str) -> datetime | None:
    """An RFC 3339 string as Nomad sends `time.Time` (nanoseconds allowed); None if zero."""
    if not text or text.startswith("0001-01-01"):
        return None
    head, _, rest = text.partition(".")
    if rest:  # Python takes at most microseconds: drop the extra digits
        digits = rest.rstrip("Z").split("+")[0].split("-")[0]
        zone = rest[len(digits):]
        text = f"{head}.{digits[:6]}{zone}"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def format_rfc3339(text: str, tz: tzinfo | None = None) -> str:
    moment = parse_rfc3339(text)
    return format_time(moment.astimezone(tz)) if moment else ""


def _round_s(ns: int) -> int:
    return (ns + NS_PER_S // 2) // NS_PER_S


def pretty_time_diff(first_ns: int, now_ns: int) -> str:
    """`"1m5s ago"`, `"2h from now"`: the two largest non-zero units between two
    nanosecond times, rounded to the second; `""` when `first_ns` is unset."""
    if first_ns <= 0:
        return ""
    first, second = _round_s(first_ns), _round_s(now_ns)
    suffix = "ago" if second >= first else "from now"
    left = abs(second - first)
    parts: list[str] = []
    for unit, size in (("s", 60), ("m", 60), ("h", 24), ("d", 30), ("mo", 12)):
        if left % size:
            parts.append(f"{left % size}{unit}")
        left //= size
        if not left:
            break
    if left:
        parts.append(f"{left}y")
    if not parts:
        return f"0s {suffix}"
    return "".join(reversed(parts[-2:])) + f" {suffix}"


_IEC = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def ibytes(size: int) -> str:
    """Bytes in IEC units as go-humanize's IBytes: `300 MiB`, `1.5 GiB`, `7 B`."""
    if size < 10:
        return f"{size} B"
    exp = 0
    while exp + 1 < len(_IEC) and size >= 1024 ** (exp + 1):
        exp += 1
    value = int(size / 1024**exp * 10 + 0.5) / 10
    return f"{value:.0f} {_IEC[exp]}" if value >= 10 else f"{value:.1f} {_IEC[exp]}"


def mib(megabytes: int) -> str:
    return ibytes(megabytes * 1024 * 1024)


def format_json(wire: Any) -> str:
    """An object's JSON as Nomad's `-json` prints it (4-space indent)."""
    return json.dumps(wire, indent=4)


def go_duration(ns: int) -> str:
    """A nanosecond duration as Go's Duration.String prints it: `1h2m3s`, `1.5s`, `250ms`."""
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    if ns < NS_PER_S:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + f"{ns / size:.9f}".rstrip("0").rstrip(".") + unit
    hours, rest = divmod(ns, 3600 * NS_PER_S)
    minutes, rest = divmod(rest, 60 * NS_PER_S)
    seconds = f"{rest / NS_PER_S:.9f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds
