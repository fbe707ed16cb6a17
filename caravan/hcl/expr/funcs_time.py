"""Date and time functions: formatdate and timeadd over RFC 3339 timestamps (Nomad's
job files have no `timestamp()`: a job file evaluates the same on every run)."""

from __future__ import annotations

import datetime as dt
import re

from caravan.durations import parse_duration
from caravan.hcl.expr.funcs_base import Function, arity
from caravan.hcl.expr.nodes import ExprError
from caravan.hcl.expr.values import Value, as_string

_TOKEN = re.compile(r"'(?:[^']|'')*'|YYYY|YY|MMMM|MMM|MM|M|DD|D|EEEE|EEE|hh|h|HH|H|AA|aa|mm|m|"
                    r"ss|s|ZZZZZ|ZZZZ|ZZZ|Z|[A-Za-z]+|[^A-Za-z']+")


def parse_timestamp(text: Value) -> dt.datetime:
    s = as_string(text)
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", s):
        raise ExprError(f'"{s[:40]}" is not an RFC 3339 timestamp such as '
                        '"2024-01-02T15:04:05Z"')
    try:
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError as e:
        raise ExprError(f"invalid timestamp: {e}") from None


def formatdate(spec: Value, timestamp: Value) -> str:
    when = parse_timestamp(timestamp)
    return "".join(_field(token, when) for token in _TOKEN.findall(as_string(spec)))


def _field(token: str, t: dt.datetime) -> str:
    if token.startswith("'"):
        return token[1:-1].replace("''", "'") if len(token) > 2 else "'"
    hour12 = t.hour % 12 or 12
    offset = t.utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign, hh, mm = "+" if minutes >= 0 else "-", abs(minutes) // 60, abs(minutes) % 60
    fields = {
        "YYYY": f"{t.year:04d}", "YY": f"{t.year % 100:02d}", "MMMM": t.strftime("%B"),
        "MMM": t.strftime("%b"), "MM": f"{t.month:02d}", "M": str(t.month),
        "DD": f"{t.day:02d}", "D": str(t.day), "EEEE": t.strftime("%A"),
        "EEE": t.strftime("%a"), "hh": f"{t.hour:02d}", "h": str(t.hour),
        "HH": f"{hour12:02d}", "H": str(hour12), "AA": "AM" if t.hour < 12 else "PM",
        "aa": "am" if t.hour < 12 else "pm", "mm": f"{t.minute:02d}", "m": str(t.minute),
        "ss": f"{t.second:02d}", "s": str(t.second),
        "ZZZZZ": "Z" if minutes == 0 else f"{sign}{hh:02d}:{mm:02d}",
        "ZZZZ": f"{sign}{hh:02d}{mm:02d}", "ZZZ": "UTC" if minutes == 0 else
        f"{sign}{hh:02d}{mm:02d}", "Z": "Z" if minutes == 0 else f"{sign}{hh:02d}:{mm:02d}",
    }
    if token in fields:
        return fields[token]
    if token[0].isalpha():
        raise ExprError(f'invalid date format verb "{token}": quote literal text '
                        "with ' characters")
    return token


def timeadd(timestamp: Value, duration: Value) -> str:
    when = parse_timestamp(timestamp)
    try:
        nanos = parse_duration(as_string(duration))
    except ValueError as e:
        raise ExprError(f"invalid duration: {e}") from None
    try:
        later = when + dt.timedelta(microseconds=nanos // 1000)
    except OverflowError:
        raise ExprError("the resulting time is out of range") from None
    text = later.isoformat()
    return text.replace("+00:00", "Z")


TIME_FUNCTIONS: dict[str, Function] = {
    "formatdate": arity(2, formatdate), "timeadd": arity(2, timeadd),
}
