"""Go's rules applied to Python values: truth, field lookup and comparison.

See fmtvalue's docstring for which Python type stands for which Go type.
"""

from __future__ import annotations

from collections.abc import Mapping

from caravan.gotemplate.errors import FuncError
from caravan.gotemplate.fmtvalue import SLICES, format_v, type_name


def is_true(value: object) -> bool:
    """text/template's truth: the zero value of its type is false, anything else true."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float, str, bytes, list, tuple, dict, range)):
        return bool(value)
    if isinstance(value, Mapping):
        return len(value) > 0
    return True


def is_map(value: object) -> bool:
    return isinstance(value, Mapping)


def is_slice(value: object) -> bool:
    return isinstance(value, SLICES)


def attribute(value: object, name: str) -> tuple[bool, object]:
    """A struct field: a public, non-method attribute. (found, value)."""
    if name.startswith("_") or isinstance(value, (str, int, float, bytes, list, tuple)):
        return False, None
    try:
        found = getattr(value, name)
    except AttributeError:
        return False, None
    if callable(found) and not isinstance(found, type) and hasattr(found, "__self__"):
        return False, None  # a bound method: templates here read fields, never call methods
    return True, found


_KINDS = {bool: "bool", int: "int", float: "float", str: "string"}


def basic_kind(value: object) -> str | None:
    """Go's basicKind for comparison, or None for anything else."""
    return _KINDS.get(type(value)) if type(value) in _KINDS else _subclass_kind(value)


def _subclass_kind(value: object) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return None


def equal(a: object, b: object) -> bool:
    """Go's eq for one pair (Go 1.18+ rules)."""
    ka, kb = basic_kind(a), basic_kind(b)
    if ka != kb:
        if a is not None and b is not None:
            raise FuncError("incompatible types for comparison")
        return False
    if ka is not None:
        return a == b
    if a is None or b is None:
        return a is b
    if isinstance(a, (*SLICES, dict)) or isinstance(b, (*SLICES, dict)) or is_map(a):
        raise FuncError(f"non-comparable type {_brief(a)}: {type_name(a)}")
    if type(a) is not type(b):
        raise FuncError(f"non-comparable types {_brief(a)}: {type_name(a)}, "
                        f"{type_name(b)}: {_brief(b)}")
    return a == b


def less(a: object, b: object) -> bool:
    """Go's lt for one pair."""
    ka, kb = basic_kind(a), basic_kind(b)
    if ka is None or kb is None:
        raise FuncError("invalid type for comparison")
    if ka != kb:
        raise FuncError("incompatible types for comparison")
    if ka == "bool":
        raise FuncError("invalid type for comparison")
    return bool(a < b)  # type: ignore[operator]



def _brief(value: object) -> str:
    return format_v(value)
