"""JSON written as Go's encoding/json writes it, for toJSON and toJSONPretty.

Map keys sorted; `<`, `>`, `&`, U+2028 and U+2029 escaped unless `escape_html` is off;
floats in Go's shortest form (`1` not `1.0`, `1e+21`, `1e-07`); structs as objects of
their public fields.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from caravan.gotemplate.errors import FuncError
from caravan.gotemplate.fmtvalue import (SLICES, e_form, f_form, shortest_digits,
                                         struct_fields, type_name)

_CONTROL = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"',
            "\\": "\\\\"}
_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def dumps(value: object, indent: str = "", escape_html: bool = True) -> str:
    out: list[str] = []
    _encode(value, out, indent, "", escape_html)
    return "".join(out)


def _encode(value: object, out: list[str], indent: str, prefix: str, escape: bool) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, str):
        out.append(_string(value, escape))
    elif isinstance(value, SLICES):
        _sequence(list(value), out, indent, prefix, escape)
    elif isinstance(value, Mapping):
        _object([(str(k), v) for k, v in value.items()], out, indent, prefix, escape)
    else:
        fields = struct_fields(value)
        if fields is None:
            raise FuncError(f"json: unsupported type: {type_name(value)}")
        _object(fields, out, indent, prefix, escape)


def _sequence(items: list[object], out: list[str], indent: str, prefix: str, escape: bool) -> None:
    if not items:
        out.append("[]")
        return
    inner = prefix + indent
    out.append("[")
    for i, item in enumerate(items):
        out.append(("," if i else "") + ("\n" + inner if indent else ""))
        _encode(item, out, indent, inner, escape)
    out.append(("\n" + prefix if indent else "") + "]")


def _object(pairs: list[tuple[str, object]], out: list[str], indent: str, prefix: str,
            escape: bool) -> None:
    if not pairs:
        out.append("{}")
        return
    inner = prefix + indent
    out.append("{")
    for i, (key, item) in enumerate(sorted(pairs, key=lambda kv: kv[0].encode())):
        out.append(("," if i else "") + ("\n" + inner if indent else ""))
        out.append(_string(key, escape) + (": " if indent else ":"))
        _encode(item, out, indent, inner, escape)
    out.append(("\n" + prefix if indent else "") + "}")


def _float(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise FuncError(f"json: unsupported value: {'NaN' if math.isnan(value) else '+Inf' if value > 0 else '-Inf'}")
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    digits, point = shortest_digits(value)
    sign = "-" if value < 0 else ""
    if abs(value) < 1e-6 or abs(value) >= 1e21:
        text = e_form(digits, point - 1, "e")
        # Go writes e-07 as e-7.
        mantissa, exp = text.split("e")
        return f"{sign}{mantissa}e{exp[0]}{int(exp[1:])}"
    return sign + f_form(digits, point)


def _string(text: str, escape: bool) -> str:
    out = ['"']
    for char in text:
        if char in _CONTROL:
            out.append(_CONTROL[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        elif escape and char in _HTML:
            out.append(_HTML[char])
        elif char in "\u2028\u2029":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)
