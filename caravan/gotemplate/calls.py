"""Template functions: their Go-shaped signatures and how arguments are checked.

A `GoFunc` wraps a Python callable with the parameter types Go would declare, so a
call with the wrong count or a wrong type fails with Go's message ("wrong number of
args for join: want 2 got 1", "wrong type for value; expected string; got int").
Parameter types: "any", "string", "int", "float64", "bool", "slice", "map".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from caravan.gotemplate.fmtvalue import SLICES, type_name
from caravan.gotemplate.nodes import BoolNode, Node, NumberNode, StringNode

ANY, STRING, INT, FLOAT, BOOL, SLICE, MAP = "any", "string", "int", "float64", "bool", "slice", "map"
_GO_NAMES = {ANY: "interface {}", SLICE: "[]interface {}", MAP: "map[string]interface {}"}


@dataclass(frozen=True)
class GoFunc:
    """A template function. `variadic` is the type of extra arguments, if it takes any.

    The callable raises FuncError (or ValueError, ArithmeticError, LookupError) to
    fail the call; the template then reports "error calling NAME: ...".
    """

    call: Callable[..., object]
    params: tuple[str, ...] = ()
    variadic: str | None = None

    def param_type(self, index: int) -> str:
        if index < len(self.params):
            return self.params[index]
        return self.variadic or ANY


def untyped(call: Callable[..., object]) -> GoFunc:
    """Any number of arguments of any type: for functions injected by a caller."""
    return GoFunc(call, (), ANY)


def go_type(ptype: str) -> str:
    return _GO_NAMES.get(ptype, ptype)


def accepts(ptype: str, value: object) -> bool:
    if ptype == ANY:
        return True
    if ptype == STRING:
        return isinstance(value, str)
    if ptype == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if ptype == FLOAT:
        return isinstance(value, float)
    if ptype == BOOL:
        return isinstance(value, bool)
    if ptype == SLICE:
        return isinstance(value, SLICES) or value is None
    if ptype == MAP:
        return isinstance(value, Mapping) or value is None
    raise AssertionError(f"unknown parameter type {ptype}")


def type_error(ptype: str, value: object) -> str | None:
    """Go's validateType message for a computed value, or None when it fits."""
    if value is None and ptype not in (ANY, SLICE, MAP):
        return f"invalid value; expected {go_type(ptype)}"
    if accepts(ptype, value):
        return None
    return f"wrong type for value; expected {go_type(ptype)}; got {type_name(value)}"


def literal_value(ptype: str, node: Node) -> tuple[object, str | None]:
    """A constant argument converted to the parameter's type: (value, error message)."""
    if isinstance(node, NumberNode):
        number = node.number
        if ptype == INT:
            return (number.as_int, None) if number.as_int is not None else (
                None, f"expected integer; found {node}")
        if ptype == FLOAT:
            return number.as_float, None
        if ptype == ANY:
            return (number.as_float if number.is_float_syntax else number.as_int), None
    if isinstance(node, StringNode) and ptype in (STRING, ANY):
        return node.text, None
    if isinstance(node, BoolNode) and ptype in (BOOL, ANY):
        return node.value, None
    return None, f"expected {_expected(ptype)}; found {node}"


def _expected(ptype: str) -> str:
    return {INT: "integer", FLOAT: "float", STRING: "string", BOOL: "bool"}.get(ptype, ptype)
