"""The value model: plain Python values read as HCL's types, and the safe conversions
between primitives (a number or bool as a string, a numeric string as a number)."""

from __future__ import annotations

import math
from typing import Any

from caravan.hcl.expr.nodes import ExprError

Value = Any


def type_name(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "tuple"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def number(value: float) -> int | float:
    """Whole floats become ints, as HCL has one number type."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ExprError("the result is not a finite number")
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
    return value


def format_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text:
        text = f"{value:f}".rstrip("0").rstrip(".")
    return text


def as_string(value: Value, what: str = "value") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if value is None:
        raise ExprError(f"invalid {what}: a string is required, got null")
    raise ExprError(f"invalid {what}: a string is required, got {type_name(value)}")


def as_number(value: Value, what: str = "value") -> int | float:
    if isinstance(value, bool):
        raise ExprError(f"invalid {what}: a number is required, got bool")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        parsed = parse_number(value)
        if parsed is not None:
            return parsed
        raise ExprError(f'invalid {what}: a number is required, got string "{value[:40]}"')
    raise ExprError(f"invalid {what}: a number is required, got {type_name(value)}")


def parse_number(text: str) -> int | float | None:
    stripped = text.strip()
    if stripped != text or not stripped or stripped.lower() in ("nan", "inf", "-inf",
                                                                "+inf", "infinity"):
        return None
    try:
        return int(stripped, 10)
    except ValueError:
        pass
    try:
        return number(float(stripped))
    except (ValueError, ExprError):
        return None


def as_bool(value: Value, what: str = "value") -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ExprError(f"invalid {what}: a bool is required, got {type_name(value)}")


def as_list(value: Value, what: str = "value") -> list[Value]:
    if isinstance(value, list):
        return value
    raise ExprError(f"invalid {what}: a list is required, got {type_name(value)}")


def as_map(value: Value, what: str = "value") -> dict[str, Value]:
    if isinstance(value, dict):
        return value
    raise ExprError(f"invalid {what}: a map or object is required, got {type_name(value)}")


def equal(a: Value, b: Value) -> bool:
    """HCL equality: values of different types are never equal (1 != "1")."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if type_name(a) != type_name(b):
        return False
    return bool(a == b)
