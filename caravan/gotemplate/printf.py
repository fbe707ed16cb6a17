"""Go's fmt.Sprintf, Sprint and Sprintln over the Python stand-ins for Go values.

Implemented exactly: flags `+ - # 0 space`, width and precision (also `*`), argument
indexes `%[n]d`, verbs %v %+v %T %t %d %b %o %O %x %X %c %q %U %e %E %f %F %g %G %s %%,
applied element by element inside slices, maps and structs, and Go's error shapes
(`%!d(string=hi)`, `%!d(MISSING)`, `%!(EXTRA int=1)`, `%!(NOVERB)`, `%!d(BADINDEX)`).
Not implemented: %p, %x/%b on floats and %#v's Go syntax (%#v prints as %v); they
print as a bad verb, `%!p(int=1)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from caravan.gotemplate.fmtvalue import (SLICES, format_float_g, format_v, go_quote, go_quote_rune,
                                         sorted_items, struct_fields, type_name)

_SPEC = re.compile(r"([-+# 0]*)(?:\[(\d+)\])?(\*|\d+)?(?:\.(?:\[(\d+)\])?(\*|\d+)?)?(?:\[(\d+)\])?")


@dataclass(frozen=True)
class Spec:
    flags: str = ""
    width: int | None = None
    prec: int | None = None

    def has(self, flag: str) -> bool:
        return flag in self.flags


def sprint(args: Sequence[object]) -> str:
    """fmt.Sprint: a space between operands when neither side is a string."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if i > 0 and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(format_v(arg))
    return "".join(out)


def sprintln(args: Sequence[object]) -> str:
    return " ".join(format_v(a) for a in args) + "\n"


def sprintf(fmt: str, args: Sequence[object]) -> str:
    out: list[str] = []
    argi, reordered, i = 0, False, 0
    while i < len(fmt):
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        match = _SPEC.match(fmt, j + 1)
        assert match
        i = match.end()
        flags, idx1, width_s, idx2, prec_s, idx3 = match.groups()
        spec = Spec(flags=flags)
        bad_index = False
        for idx in (idx1, idx2, idx3):
            if idx is not None:
                reordered = True
                argi, ok = int(idx) - 1, 0 < int(idx) <= len(args)
                bad_index = bad_index or not ok
        spec, argi, problem = _width_prec(spec, width_s, prec_s, fmt[j:i], args, argi)
        if problem:
            out.append(problem)
        if i >= len(fmt):
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if bad_index:
            out.append(f"%!{verb}(BADINDEX)")
            continue
        if argi >= len(args) or argi < 0:
            out.append(f"%!{verb}(MISSING)")
            continue
        out.append(format_arg(args[argi], verb, spec))
        argi += 1
    if not reordered and argi < len(args):
        extra = ", ".join(_typed(a) for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _width_prec(spec: Spec, width_s: str | None, prec_s: str | None, text: str,
                args: Sequence[object], argi: int) -> tuple[Spec, int, str]:
    problem = ""
    width: int | None = None
    if width_s == "*":
        width, argi, bad = _star(args, argi)
        problem += "%!(BADWIDTH)" if bad else ""
        if width is not None and width < 0:
            spec, width = replace(spec, flags=spec.flags + "-"), -width
    elif width_s is not None:
        width = int(width_s)
    prec: int | None = None
    if prec_s == "*":
        prec, argi, bad = _star(args, argi)
        problem += "%!(BADPREC)" if bad else ""
        prec = None if prec is not None and prec < 0 else prec
    elif prec_s is not None:
        prec = int(prec_s)
    elif "." in text:
        prec = 0
    return replace(spec, width=width, prec=prec), argi, problem


def _star(args: Sequence[object], argi: int) -> tuple[int | None, int, bool]:
    if argi < len(args) and isinstance(args[argi], int) and not isinstance(args[argi], bool):
        value = args[argi]
        assert isinstance(value, int)
        return value, argi + 1, False
    return None, argi + 1, True


def _typed(arg: object) -> str:
    return "<nil>" if arg is None else f"{type_name(arg)}={format_v(arg)}"


def _bad(verb: str, arg: object) -> str:
    return f"%!{verb}(<nil>)" if arg is None else f"%!{verb}({_typed(arg)})"


def format_arg(arg: object, verb: str, spec: Spec) -> str:
    if verb == "T":
        return pad(type_name(arg), spec)
    if arg is None:
        return pad("<nil>", spec) if verb == "v" else _bad(verb, arg)
    if isinstance(arg, bool):
        return pad("true" if arg else "false", spec) if verb in "vt" else _bad(verb, arg)
    if isinstance(arg, int):
        return format_int(arg, verb, spec)
    if isinstance(arg, float):
        return format_float(arg, verb, spec)
    if isinstance(arg, (bytes, bytearray)) and verb in "sqxX":
        return format_str(bytes(arg).decode("utf-8", "replace"), verb, spec)
    if isinstance(arg, str):
        return format_str(arg, verb, spec)
    if isinstance(arg, (*SLICES, bytes, bytearray)):
        return "[" + " ".join(format_arg(e, verb, spec) for e in arg) + "]"
    if isinstance(arg, Mapping):
        pairs = (f"{format_arg(k, verb, spec)}:{format_arg(v, verb, spec)}"
                 for k, v in sorted_items(arg))
        return "map[" + " ".join(pairs) + "]"
    return _format_struct(arg, verb, spec)


def _format_struct(arg: object, verb: str, spec: Spec) -> str:
    fields = struct_fields(arg)
    if fields is None:
        return format_str(str(arg), verb, spec) if verb in "vsqxX" else _bad(verb, arg)
    if spec.has("+") and verb == "v":
        return "{" + " ".join(f"{k}:{format_arg(v, verb, spec)}" for k, v in fields) + "}"
    return "{" + " ".join(format_arg(v, verb, spec) for _, v in fields) + "}"


def pad(text: str, spec: Spec, zero_ok: bool = False) -> str:
    if spec.width is None or len(text) >= spec.width:
        return text
    fill = spec.width - len(text)
    if spec.has("-"):
        return text + " " * fill
    if spec.has("0") and zero_ok:
        return "0" * fill + text
    return " " * fill + text


_INT_BASES = {"d": (10, ""), "v": (10, ""), "b": (2, "0b"), "o": (8, "0"), "O": (8, "0o"),
              "x": (16, "0x"), "X": (16, "0X")}


def format_int(value: int, verb: str, spec: Spec) -> str:
    if verb == "c":
        return pad(chr(value) if 0 <= value <= 0x10FFFF else "\ufffd", spec)
    if verb == "q":
        return pad(go_quote_rune(value), spec)
    if verb == "U":
        text = f"U+{value:04X}"
        if spec.has("#") and 0 <= value <= 0x10FFFF and chr(value).isprintable():
            text += f" '{chr(value)}'"
        return pad(text, spec)
    if verb not in _INT_BASES:
        return _bad(verb, value)
    base, prefix = _INT_BASES[verb]
    digits = _digits(abs(value), base, verb == "X")
    min_digits = spec.prec
    if spec.prec == 0 and value == 0:
        digits = ""
    sign = "-" if value < 0 else "+" if spec.has("+") else " " if spec.has(" ") else ""
    if min_digits is None and spec.has("0") and not spec.has("-") and spec.width is not None:
        min_digits = spec.width - len(sign)
    if min_digits is not None and len(digits) < min_digits:
        digits = "0" * (min_digits - len(digits)) + digits
    if verb == "O" or (spec.has("#") and verb in "bxX"):
        digits = prefix + digits
    elif spec.has("#") and verb == "o" and not digits.startswith("0"):
        digits = "0" + digits
    return pad(sign + digits, replace(spec, flags=spec.flags.replace("0", "")))


def _digits(value: int, base: int, upper: bool) -> str:
    text = {2: f"{value:b}", 8: f"{value:o}", 10: f"{value:d}", 16: f"{value:x}"}[base]
    return text.upper() if upper else text


def format_float(value: float, verb: str, spec: Spec) -> str:
    if verb not in "veEfFgG":
        return _bad(verb, value)
    if value != value or value in (float("inf"), float("-inf")):
        text = "NaN" if value != value else ("+Inf" if value > 0 else "-Inf")
        if text == "+Inf" and not spec.has("+"):
            text = " Inf" if spec.has(" ") else "+Inf"
        return pad(text, replace(spec, flags=spec.flags.replace("0", "")))
    body = _float_body(abs(value), verb, spec)
    negative = value < 0 or (value == 0 and str(value).startswith("-"))
    sign = "-" if negative else "+" if spec.has("+") else " " if spec.has(" ") else ""
    if spec.has("0") and not spec.has("-") and spec.width is not None:
        body = "0" * max(0, spec.width - len(sign) - len(body)) + body
    return pad(sign + body, spec)


def _float_body(value: float, verb: str, spec: Spec) -> str:
    if verb in "vgG" and spec.prec is None:
        return format_float_g(value, upper=verb == "G")
    sharp = "#" if spec.has("#") else ""
    if verb in "gG":
        return format(value, f"{sharp}.{spec.prec or 1}{verb}")
    prec = 6 if spec.prec is None else spec.prec
    return format(value, f"{sharp}.{prec}{'f' if verb == 'F' else verb}")


def format_str(text: str, verb: str, spec: Spec) -> str:
    if verb in "vs":
        if spec.prec is not None:
            text = text[:spec.prec]
        return pad(text, spec, zero_ok=True)
    if verb == "q":
        if spec.prec is not None:
            text = text[:spec.prec]
        if spec.has("#") and "`" not in text and all(c == "\t" or c.isprintable() for c in text):
            return pad(f"`{text}`", spec)
        return pad(go_quote(text, ascii_only=spec.has("+")), spec)
    if verb in "xX":
        return pad(_hex_bytes(text.encode(), verb, spec), spec)
    return _bad(verb, text)


def _hex_bytes(data: bytes, verb: str, spec: Spec) -> str:
    if spec.prec is not None:
        data = data[:spec.prec]
    form = "{:02X}" if verb == "X" else "{:02x}"
    prefix = ("0X" if verb == "X" else "0x") if spec.has("#") else ""
    if spec.has(" "):
        return " ".join(prefix + form.format(b) for b in data)
    return (prefix if data else "") + "".join(form.format(b) for b in data)
