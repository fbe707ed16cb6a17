"""consul-template's arithmetic, `loop`, and membership functions.

Arithmetic takes its operands reversed, for pipes: `{{ 10 | subtract 3 }}` is 10 - 3,
and `subtract 3 10` is the same. Integers divide and take remainders as Go does
(truncating toward zero); an int with a float gives a float.
"""

from __future__ import annotations

from collections.abc import Callable

from caravan.gotemplate.calls import ANY, SLICE, GoFunc
from caravan.gotemplate.fmtvalue import SLICES
from caravan.gotemplate.errors import FuncError
from caravan.gotemplate.funcs_text import parse_int
from caravan.gotemplate.printf import sprintf

Number = int | float


def _number(name: str, value: object) -> Number:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FuncError(sprintf(f"{name}: unknown type for %q (%T)", [value, value]))
    return value


def _go_div(a: Number, b: Number) -> Number:
    if isinstance(a, int) and isinstance(b, int):
        if b == 0:
            raise ZeroDivisionError
        quotient = abs(a) // abs(b)
        return quotient if (a < 0) == (b < 0) else -quotient
    if b == 0:
        return float("nan") if a == 0 else float("inf") * (1 if a > 0 else -1)
    return a / b


def _go_mod(a: Number, b: Number) -> Number:
    for operand in (b, a):
        if isinstance(operand, float):
            raise FuncError(sprintf("modulo: unknown type for %q (%T)", [operand, operand]))
    if b == 0:
        raise ZeroDivisionError
    return a - b * int(_go_div(a, b))


def _arith(name: str, op: Callable[[Number, Number], Number]) -> GoFunc:
    def call(b: object, a: object) -> Number:
        first, second = _number(name, a), _number(name, b)
        return op(first, second)
    return GoFunc(call, (ANY, ANY))


def _pick(name: str, want_smaller: bool) -> GoFunc:
    def call(b: object, a: object) -> Number:
        first, second = _number(name, a), _number(name, b)
        return first if (first < second) == want_smaller else second
    return GoFunc(call, (ANY, ANY))


def loop(*args: object) -> range:
    """The integers [start, stop): `loop 3` is 0 1 2, `loop 2 5` is 2 3 4."""
    if len(args) not in (1, 2):
        raise FuncError(f"loop: wrong number of arguments, expected 1 or 2, but got {len(args)}")
    bounds = [_loop_int(a) for a in args]
    start, stop = (0, bounds[0]) if len(bounds) == 1 else (bounds[0], bounds[1])
    return range(start, stop)


def _loop_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return parse_int(value)
    raise FuncError(sprintf("loop: bad argument type: %T", [value]))


def member(container: object, value: object) -> bool:
    """consul-template's `in`: an element of a list (same kind), or a substring."""
    if isinstance(container, SLICES):
        return any(_same_kind_equal(item, value) for item in container)
    if isinstance(container, str) and isinstance(value, str):
        return value in container
    return False


def _same_kind_equal(item: object, value: object) -> bool:
    if isinstance(item, bool) or isinstance(value, bool):
        return False
    for kind in (int, float, str):
        if isinstance(item, kind):
            return isinstance(value, kind) and item == value
    return False


def _contains_some(all_or_none: bool, invert: bool) -> GoFunc:
    def call(values: list[object] | None, container: object) -> bool:
        for value in values or []:
            if member(container, value) != invert:
                return not all_or_none
        return all_or_none
    return GoFunc(call, (SLICE, ANY))


MATH_FUNCS: dict[str, GoFunc] = {
    "add": _arith("add", lambda a, b: a + b),
    "subtract": _arith("subtract", lambda a, b: a - b),
    "multiply": _arith("multiply", lambda a, b: a * b),
    "divide": _arith("divide", _go_div),
    "modulo": _arith("modulo", _go_mod),
    "minimum": _pick("minimum", want_smaller=True),
    "maximum": _pick("maximum", want_smaller=False),
    "loop": GoFunc(loop, (), ANY),
    "in": GoFunc(member, (ANY, ANY)),
    "contains": GoFunc(lambda value, container: member(container, value), (ANY, ANY)),
    "containsAll": _contains_some(True, True),
    "containsAny": _contains_some(False, False),
    "containsNone": _contains_some(True, False),
    "containsNotAll": _contains_some(False, True),
}
