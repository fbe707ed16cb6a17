"""Collection functions: lists, maps and sets (sets are lists without duplicates)."""

from __future__ import annotations

import itertools

from caravan.hcl.expr.funcs_base import Function, arity, bounded
from caravan.hcl.expr.nodes import ExprError
from caravan.hcl.expr.values import (
    Value,
    as_list,
    as_map,
    as_number,
    as_string,
    equal,
    number,
    type_name,
)


def length(value: Value) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise ExprError(f"length needs a string, list or map, got {type_name(value)}")


def concat(*lists: Value) -> list[Value]:
    return [item for value in lists for item in as_list(value)]


def contains(collection: Value, item: Value) -> bool:
    return any(equal(x, item) for x in as_list(collection))


def keys(value: Value) -> list[Value]:
    return sorted(as_map(value))


def values(value: Value) -> list[Value]:
    mapping = as_map(value)
    return [mapping[k] for k in sorted(mapping)]


def lookup(mapping: Value, key: Value, *default: Value) -> Value:
    found = as_map(mapping)
    name = as_string(key)
    if name in found:
        return found[name]
    if default:
        return default[0]
    raise ExprError(f'the map has no element "{name}" and no default was given')


def merge(*maps: Value) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for value in maps:
        if value is not None:
            out.update(as_map(value))
    return out


def element(value: Value, index: Value) -> Value:
    items = as_list(value)
    if not items:
        raise ExprError("cannot use element() on an empty list")
    i = int(as_number(index))
    if i < 0:
        raise ExprError("the index must not be negative")
    return items[i % len(items)]


def flatten(value: Value) -> list[Value]:
    out: list[Value] = []
    for item in as_list(value):
        out.extend(flatten(item) if isinstance(item, list) else [item])
    return out


def distinct(value: Value) -> list[Value]:
    out: list[Value] = []
    for item in as_list(value):
        if not any(equal(item, seen) for seen in out):
            out.append(item)
    return out


def range_(*args: Value) -> list[Value]:
    if not 1 <= len(args) <= 3:
        raise ExprError(f"takes 1 to 3 arguments, got {len(args)}")
    nums = [as_number(a) for a in args]
    start, stop, step = (0, nums[0], 1) if len(nums) == 1 else (
        nums[0], nums[1], nums[2] if len(nums) == 3 else (1 if nums[1] >= nums[0] else -1))
    if step == 0:
        raise ExprError("the step may not be zero")
    count = max(0, -int(-(stop - start) // step))
    bounded(count)
    return [number(start + i * step) for i in range(count)]


def coalesce(*args: Value) -> Value:
    for arg in args:
        if arg is not None and arg != "":
            return arg
    raise ExprError("no non-null, non-empty argument")


def coalescelist(*args: Value) -> Value:
    for arg in args:
        if as_list(arg):
            return arg
    return []


def index(value: Value, item: Value) -> int:
    for i, x in enumerate(as_list(value)):
        if equal(x, item):
            return i
    raise ExprError("the item is not in the list")


def slice_(value: Value, start: Value, end: Value) -> list[Value]:
    items = as_list(value)
    a, b = int(as_number(start)), int(as_number(end))
    if not 0 <= a <= b <= len(items):
        raise ExprError(f"slice indexes {a}:{b} are out of range for {len(items)} elements")
    return items[a:b]


def sort(value: Value) -> list[Value]:
    return sorted(as_string(item) for item in as_list(value))


def reverse(value: Value) -> Value:
    """Nomad's `reverse` is cty's string reverse; a list is reversed too."""
    if isinstance(value, list):
        return value[::-1]
    return as_string(value)[::-1]


def zipmap(names: Value, vals: Value) -> dict[str, Value]:
    k, v = as_list(names), as_list(vals)
    if len(k) != len(v):
        raise ExprError("both lists must have the same length")
    return {as_string(a): b for a, b in zip(k, v, strict=True)}


def setunion(*sets: Value) -> list[Value]:
    return distinct([item for value in sets for item in as_list(value)])


def setintersection(first: Value, *rest: Value) -> list[Value]:
    return [x for x in distinct(first) if all(contains(other, x) for other in rest)]


def setproduct(*sets: Value) -> list[Value]:
    lists = [as_list(s) for s in sets]
    total = 1
    for items in lists:
        total = bounded(total * len(items))
    return [list(t) for t in itertools.product(*lists)]


def chunklist(value: Value, size: Value) -> list[Value]:
    items, n = as_list(value), int(as_number(size))
    if n < 0:
        raise ExprError("the size must not be negative")
    if n == 0:
        return [items]
    return [items[i:i + n] for i in range(0, len(items), n)]


def compact(value: Value) -> list[Value]:
    return [as_string(x) for x in as_list(value) if x is not None and x != ""]


COLLECTION_FUNCTIONS: dict[str, Function] = {
    "length": arity(1, length), "concat": arity(1, concat, at_least=True),
    "contains": arity(2, contains), "keys": arity(1, keys), "values": arity(1, values),
    "lookup": arity(2, lookup, at_least=True), "merge": arity(0, merge, at_least=True),
    "element": arity(2, element), "flatten": arity(1, flatten),
    "distinct": arity(1, distinct), "range": arity(1, range_, at_least=True),
    "coalesce": arity(1, coalesce, at_least=True),
    "coalescelist": arity(1, coalescelist, at_least=True), "compact": arity(1, compact),
    "index": arity(2, index), "slice": arity(3, slice_), "sort": arity(1, sort),
    "reverse": arity(1, reverse), "zipmap": arity(2, zipmap),
    "setunion": arity(1, setunion, at_least=True),
    "setintersection": arity(1, setintersection, at_least=True),
    "setproduct": arity(1, setproduct, at_least=True), "chunklist": arity(2, chunklist),
}
