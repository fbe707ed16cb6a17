"""HCL's unary and binary operators over values."""

from __future__ import annotations

import math

from caravan.hcl.expr.nodes import ExprError
from caravan.hcl.expr.values import Value, as_bool, as_number, equal, number


def unary(op: str, value: Value) -> Value:
    if op == "!":
        return not as_bool(value, "operand of !")
    return number(-as_number(value, "operand of -"))


def binary(op: str, left: Value, right: Value) -> Value:
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op in ("&&", "||"):
        p, q = as_bool(left, f"left operand of {op}"), as_bool(right, f"right operand of {op}")
        return (p and q) if op == "&&" else (p or q)
    a = as_number(left, f"left operand of {op}")
    b = as_number(right, f"right operand of {op}")
    if op in ("<", "<=", ">", ">="):
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    return _arithmetic(op, a, b)


def _arithmetic(op: str, a: int | float, b: int | float) -> Value:
    if op in ("/", "%") and b == 0:
        raise ExprError("division by zero" if op == "/" else "modulo by zero")
    try:
        if op == "+":
            return number(a + b)
        if op == "-":
            return number(a - b)
        if op == "*":
            return number(a * b)
        if op == "/":
            return number(a / b)
        # HCL's modulo keeps the sign of the dividend, as Go's does.
        return number(math.fmod(a, b) if isinstance(a, float) or isinstance(b, float)
                      else int(math.copysign(abs(a) % abs(b), a)))
    except OverflowError:
        raise ExprError(f"the result of {op} is too large") from None
