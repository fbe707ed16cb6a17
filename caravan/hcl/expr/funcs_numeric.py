"""Numeric functions: abs, ceil, floor, min, max, pow, log, signum, parseint."""

from __future__ import annotations

import math

from caravan.hcl.expr.funcs_base import Function, arity
from caravan.hcl.expr.nodes import ExprError
from caravan.hcl.expr.values import Value, as_number, as_string, number


def _minmax(smallest: bool) -> Function:
    def call(args: list[Value]) -> Value:
        if not args:
            raise ExprError("takes at least one number")
        numbers = [as_number(a) for a in args]
        return min(numbers) if smallest else max(numbers)
    return call


def parseint(text: Value, base: Value) -> int:
    b = int(as_number(base))
    if not 2 <= b <= 62:
        raise ExprError("the base must be between 2 and 62")
    s = as_string(text)
    try:
        return int(s, b)
    except ValueError:
        raise ExprError(f'cannot parse "{s[:40]}" as a base {b} integer') from None


def pow_(a: Value, b: Value) -> Value:
    base, exp = as_number(a), as_number(b)
    if abs(exp) > 1024 and abs(base) > 1:
        raise ExprError("the result is too large")
    try:
        return number(float(base) ** float(exp))
    except (OverflowError, ZeroDivisionError, ValueError) as e:
        raise ExprError(str(e)) from None


def log(a: Value, b: Value) -> Value:
    try:
        return number(math.log(as_number(a), as_number(b)))
    except (ValueError, ZeroDivisionError) as e:
        raise ExprError(f"log: {e}") from None


def signum(a: Value) -> int:
    n = as_number(a)
    return (n > 0) - (n < 0)


NUMERIC_FUNCTIONS: dict[str, Function] = {
    "abs": arity(1, lambda n: abs(as_number(n))),
    "ceil": arity(1, lambda n: math.ceil(as_number(n))),
    "floor": arity(1, lambda n: math.floor(as_number(n))),
    "min": _minmax(True), "max": _minmax(False),
    "parseint": arity(2, parseint), "pow": arity(2, pow_), "log": arity(2, log),
    "signum": arity(1, signum),
}
