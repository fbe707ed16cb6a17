"""Go's reference-time layouts ("2006-01-02T15:04:05Z07:00") applied to a datetime.

Covers the layout elements `timestamp` users write: years, months (number and
name), days, weekdays, day of year, 12/24-hour clocks, minutes, seconds, fractional
seconds (.000 / .999 and comma forms), AM/PM, zone names and offsets.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

RFC3339 = "2006-01-02T15:04:05Z07:00"

_ELEMENT = re.compile(
    r"January|Jan|Monday|Mon|MST|2006|002|__2|_2|01|02|03|04|05|06|15|1|2|3|4|5|PM|pm"
    r"|Z07:00:00|-07:00:00|Z070000|-070000|Z07:00|-07:00|Z0700|-0700|Z07|-07"
    r"|[.,](?:0+|9+)(?!\d)")


def format_time(moment: datetime, layout: str) -> str:
    return _ELEMENT.sub(lambda m: _element(moment, m.group()), layout)


def _element(t: datetime, token: str) -> str:
    simple = {
        "January": t.strftime("%B"), "Jan": t.strftime("%b"), "Monday": t.strftime("%A"),
        "Mon": t.strftime("%a"), "2006": f"{t.year:04d}", "06": f"{t.year % 100:02d}",
        "01": f"{t.month:02d}", "1": str(t.month), "02": f"{t.day:02d}", "2": str(t.day),
        "_2": f"{t.day:>2d}", "002": f"{t.timetuple().tm_yday:03d}",
        "__2": f"{t.timetuple().tm_yday:>3d}", "15": f"{t.hour:02d}",
        "03": f"{(t.hour % 12) or 12:02d}", "3": str((t.hour % 12) or 12),
        "04": f"{t.minute:02d}", "4": str(t.minute), "05": f"{t.second:02d}",
        "5": str(t.second), "PM": "PM" if t.hour >= 12 else "AM",
        "pm": "pm" if t.hour >= 12 else "am", "MST": _zone_name(t),
    }
    if token in simple:
        return simple[token]
    if token[0] in ".,":
        return _fraction(t, token)
    return _offset(t, token)


def _zone_name(t: datetime) -> str:
    name = t.tzname()
    return name if name and name != "UTC+00:00" else "UTC"


def _fraction(t: datetime, token: str) -> str:
    digits = f"{t.microsecond:06d}000"[:len(token) - 1]
    if token[1] == "9":
        digits = digits.rstrip("0")
        return token[0] + digits if digits else ""
    return token[0] + digits


def _offset(t: datetime, token: str) -> str:
    offset = t.utcoffset() or timedelta(0)
    if token.startswith("Z") and offset == timedelta(0):
        return "Z"
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    body = token.lstrip("Z-")
    colon = ":" in body
    parts = [f"{hours:02d}"]
    if len(body.replace(":", "")) >= 4:
        parts.append(f"{minutes:02d}")
    if len(body.replace(":", "")) >= 6:
        parts.append(f"{secs:02d}")
    return sign + (":" if colon else "").join(parts)
