"""What every function module shares: argument count checks and typed argument reads."""

from __future__ import annotations

from collections.abc import Callable

from caravan.hcl.expr.nodes import ExprError
from caravan.hcl.expr.values import Value

Function = Callable[[list[Value]], Value]
# A function result may not grow past this many elements or characters: a job file is
# evaluated on the server too (/v1/jobs/parse), where a `range(1e12)` must not fit.
MAX_RESULT = 1_000_000


def arity(count: int, fn: Callable[..., Value], at_least: bool = False) -> Function:
    """`fn(*args)` once the number of arguments is checked."""

    def call(args: list[Value]) -> Value:
        if (len(args) < count) if at_least else (len(args) != count):
            need = f"at least {count}" if at_least else str(count)
            raise ExprError(f"takes {need} argument{'s' if count != 1 else ''}, "
                            f"got {len(args)}")
        return fn(*args)

    return call


def bounded(size: int) -> int:
    if size > MAX_RESULT:
        raise ExprError(f"the result would have {size} elements or characters; the limit "
                        f"is {MAX_RESULT}")
    return size
