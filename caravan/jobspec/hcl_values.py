"""Converts python-hcl2 values to the types of job fields, as HCL's type rules do.

HCL converts between primitive types when it is safe: a number or bool becomes
a string (`"1"`, `"true"`), a string that spells a number becomes a number.
Anything else is an unsuitable value; each converter raises ValueError with a
message that says what was required and what was found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from caravan.durations import parse_duration

Convert = Callable[[Any], Any]

META_KEYS = ("__start_line__", "__end_line__")


def describe(value: Any) -> str:
    """A value as a message shows it: `string "two"`, `number 1.5`, `a list`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"bool {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'string "{shown}"'
    if isinstance(value, list):
        return "a list"
    return "a map" if isinstance(value, dict) else type(value).__name__


def unescape(text: str) -> str:
    """HCL's template escapes: `$${` is a literal `${`, `%%{` a literal `%{`."""
    return text.replace("$${", "${").replace("%%{", "%{")


def to_string(value: Any) -> str:
    if isinstance(value, str):
        return unescape(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    raise ValueError(f"a string is required, got {describe(value)}")


def to_int(value: Any) -> int:
    number: Any = value
    if isinstance(value, str):
        try:
            number = float(value) if any(c in value for c in ".eE") else int(value, 10)
        except ValueError:
            raise ValueError(f"a number is required, got {describe(value)}") from None
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise ValueError(f"a number is required, got {describe(value)}")
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError(f"a whole number is required, got {describe(value)}")
        return int(number)
    return number


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ValueError(f"a bool is required, got {describe(value)}")


def to_duration(value: Any) -> int:
    """A Go duration string, or a whole number of nanoseconds, as Nomad accepts."""
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError as e:
            raise ValueError(f"unsuitable duration value: {e}") from None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f'a duration string such as "30s" is required, got {describe(value)}')


def to_strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"a list of strings is required, got {describe(value)}")
    try:
        return [to_string(item) for item in value]
    except ValueError:
        raise ValueError("a list of strings is required, found an element that is "
                         "not a string") from None


def to_string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"a map of strings is required, got {describe(value)}")
    out: dict[str, str] = {}
    for key, item in value.items():
        if key in META_KEYS:
            continue
        try:
            out[str(key)] = to_string(item)
        except ValueError:
            raise ValueError(f'a map of strings is required, but "{key}" is '
                             f"{describe(item)}") from None
    return out


def free_form(value: Any) -> Any:
    """A driver `config` value kept as written: nested blocks stay lists of maps."""
    if isinstance(value, dict):
        return {str(k): free_form(v) for k, v in value.items() if k not in META_KEYS}
    if isinstance(value, list):
        return [free_form(item) for item in value]
    if isinstance(value, str):
        return unescape(value)
    return value
