"""Go's predefined template functions: and or not len index slice print printf println
eq ne lt le gt ge html js urlquery call.

`and` and `or` short-circuit (Go 1.18+): the evaluator runs them itself, so their
entries here only carry the signature.
"""

from __future__ import annotations

import inspect
import urllib.parse
from collections.abc import Mapping

from caravan.gotemplate.calls import ANY, STRING, GoFunc
from caravan.gotemplate.errors import FuncError
from caravan.gotemplate.fmtvalue import SLICES, format_v, type_name
from caravan.gotemplate.printf import sprint, sprintf, sprintln
from caravan.gotemplate.values import equal, is_true, less


def _not(value: object) -> bool:
    return not is_true(value)


def _len(value: object) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, (*SLICES, bytes, bytearray, Mapping)):
        return len(value)
    if value is None:
        raise FuncError("len of nil pointer")
    raise FuncError(f"len of type {type_name(value)}")


def _index(item: object, *indexes: object) -> object:
    for index in indexes:
        item = _index_one(item, index)
    return item


def _index_one(item: object, index: object) -> object:
    if item is None:
        raise FuncError("index of untyped nil")
    if isinstance(item, Mapping):
        return item.get(index)
    if isinstance(item, (*SLICES, str, bytes)):
        if not isinstance(index, int) or isinstance(index, bool):
            raise FuncError(f"cannot index slice/array with type {type_name(index)}")
        data = item.encode() if isinstance(item, str) else item
        if not 0 <= index < len(data):
            raise FuncError(f"index out of range: {index}")
        return data[index]
    raise FuncError(f"can't index item of type {type_name(item)}")


def _slice(item: object, *indexes: object) -> object:
    if not isinstance(item, (*SLICES, str)):
        raise FuncError(f"can't slice item of type {type_name(item)}")
    if len(indexes) > 3 or (len(indexes) == 3 and isinstance(item, str)):
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    data = item.encode() if isinstance(item, str) else item
    bounds = [_slice_index(i, len(data)) for i in indexes]
    if len(bounds) >= 2 and bounds[0] > bounds[1]:
        raise FuncError(f"invalid slice index: {bounds[0]} > {bounds[1]}")
    start = bounds[0] if bounds else 0
    end = bounds[1] if len(bounds) >= 2 else len(data)
    part = data[start:end]
    return part.decode("utf-8", "replace") if isinstance(part, bytes) else part


def _slice_index(index: object, cap: int) -> int:
    if not isinstance(index, int) or isinstance(index, bool):
        raise FuncError(f"cannot index slice/array with type {type_name(index)}")
    if not 0 <= index <= cap:
        raise FuncError(f"index out of range: {index}")
    return index


def _eq(first: object, *others: object) -> bool:
    if not others:
        raise FuncError("missing argument for comparison")
    return any(equal(first, other) for other in others)


def _html(*args: object) -> str:
    text = _eval_args(args)
    for char, entity in (("&", "&amp;"), ("'", "&#39;"), ('"', "&#34;"), ("<", "&lt;"),
                         (">", "&gt;"), ("\0", "\ufffd")):
        text = text.replace(char, entity)
    return text


def _js(*args: object) -> str:
    out = []
    for char in _eval_args(args):
        code = ord(char)
        if char in "\\'\"<>&=":
            out.append({"\\": "\\\\", "'": "\\'", '"': '\\"'}.get(char, f"\\u{code:04X}"))
        elif code < 0x20:
            out.append(f"\\u{code:04X}")
        elif code >= 0x80 and not char.isprintable():
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return "".join(out)


def _urlquery(*args: object) -> str:
    return urllib.parse.quote_plus(_eval_args(args), safe="")


def _eval_args(args: tuple[object, ...]) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(args)


def _call(fn: object, *args: object) -> object:
    if fn is None:
        raise FuncError("call of nil")
    if not callable(fn) or inspect.isclass(fn):
        raise FuncError(f"non-function {format_v(fn)} of type {type_name(fn)}")
    return fn(*args)


BUILTINS: dict[str, GoFunc] = {
    "and": GoFunc(lambda *a: None, (ANY,), ANY),
    "or": GoFunc(lambda *a: None, (ANY,), ANY),
    "not": GoFunc(_not, (ANY,)),
    "len": GoFunc(_len, (ANY,)),
    "index": GoFunc(_index, (ANY,), ANY),
    "slice": GoFunc(_slice, (ANY,), ANY),
    "print": GoFunc(lambda *a: sprint(a), (), ANY),
    "printf": GoFunc(lambda f, *a: sprintf(f, a), (STRING,), ANY),
    "println": GoFunc(lambda *a: sprintln(a), (), ANY),
    "eq": GoFunc(_eq, (ANY,), ANY),
    "ne": GoFunc(lambda a, b: not equal(a, b), (ANY, ANY)),
    "lt": GoFunc(less, (ANY, ANY)),
    "le": GoFunc(lambda a, b: less(a, b) or equal(a, b), (ANY, ANY)),
    "gt": GoFunc(lambda a, b: not (less(a, b) or equal(a, b)), (ANY, ANY)),
    "ge": GoFunc(lambda a, b: not less(a, b), (ANY, ANY)),
    "html": GoFunc(_html, (), ANY),
    "js": GoFunc(_js, (), ANY),
    "urlquery": GoFunc(_urlquery, (), ANY),
    "call": GoFunc(_call, (ANY,), ANY),
}
