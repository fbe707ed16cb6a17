"""How Go's fmt prints a value with %v: the Python side of Go's value model.

Python values stand in for Go's: None is nil, bool, int (every Go integer kind),
float (float64), str, list/tuple (a slice), dict or any Mapping (a map), bytes
([]byte), and any other object is a struct whose public attributes are its fields.
A class with its own `__str__` plays a Go Stringer.
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

# What stands for a Go slice; `range` is what `loop` returns, so big loops stay lazy.
SLICES = (list, tuple, range)


def type_name(value: object) -> str:
    """The name Go's %T prints for the value's stand-in."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray)):
        return "[]uint8"
    if isinstance(value, SLICES):
        return "[]interface {}"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if callable(value):
        return "func"
    return type(value).__name__


def sorted_items(mapping: Mapping[object, object]) -> list[tuple[object, object]]:
    """Map entries in Go's order (fmtsort): numbers by value, strings by bytes."""
    return sorted(mapping.items(), key=lambda kv: _sort_key(kv[0]))


def _sort_key(key: object) -> tuple[int, object]:
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        return (1, key)
    if isinstance(key, str):
        return (2, key)
    if isinstance(key, bool):
        return (0, key)
    return (3, str(key))


def struct_fields(value: object) -> list[tuple[str, object]] | None:
    """The public fields of an object used as a Go struct, or None for a Stringer."""
    if type(value).__str__ is not object.__str__ and not dataclasses.is_dataclass(value):
        return None
    if dataclasses.is_dataclass(value):
        return [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
    attrs = getattr(value, "__dict__", None)
    if attrs is None:
        return None
    return [(k, v) for k, v in attrs.items() if not k.startswith("_")]


def format_v(value: object, plus: bool = False) -> str:
    """Go's %v (or %+v, which names struct fields)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float_g(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return "[" + " ".join(str(b) for b in value) + "]"
    if isinstance(value, SLICES):
        return "[" + " ".join(format_v(v, plus) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = " ".join(f"{format_v(k, plus)}:{format_v(v, plus)}" for k, v in sorted_items(value))
        return f"map[{inner}]"
    fields = struct_fields(value)
    if fields is None:
        return str(value)
    if plus:
        return "{" + " ".join(f"{k}:{format_v(v, plus)}" for k, v in fields) + "}"
    return "{" + " ".join(format_v(v, plus) for _, v in fields) + "}"


def format_float_g(value: float, upper: bool = False) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64): shortest digits, %e form below 1e-4 or from 1e+06."""
    special = _special_float(value)
    if special is not None:
        return special
    digits, point = shortest_digits(value)
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    exp = point - 1
    if exp < -4 or exp >= 6:
        return sign + e_form(digits, exp, "E" if upper else "e")
    return sign + f_form(digits, point)


def _special_float(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return None


def shortest_digits(value: float) -> tuple[str, int]:
    """The shortest round-tripping decimal digits of |value| and the decimal point position."""
    if value == 0:
        return "0", 1
    sign, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    point = len(digit_tuple) + exponent
    return digits, point


def e_form(digits: str, exp: int, letter: str) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{mantissa}{letter}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def f_form(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def go_quote(text: str, ascii_only: bool = False) -> str:
    """strconv.Quote: a double-quoted Go string literal."""
    out = ['"']
    for ch in text:
        out.append(_quote_char(ch, '"', ascii_only))
    out.append('"')
    return "".join(out)


def go_quote_rune(code: int) -> str:
    """strconv.QuoteRune: a single-quoted Go character literal."""
    if code < 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    return "'" + _quote_char(chr(code), "'", False) + "'"


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v", "\\": "\\\\"}


def _quote_char(ch: str, quote: str, ascii_only: bool) -> str:
    if ch == quote:
        return "\\" + ch
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    if code < 0x80 and ch.isprintable():
        return ch
    if not ascii_only and code >= 0x80 and _is_go_printable(ch):
        return ch
    if code < 0x80:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _is_go_printable(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "LMNPS" or ch == " "
