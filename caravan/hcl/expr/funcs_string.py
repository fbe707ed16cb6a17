"""String functions of Nomad's job files: format, case, trimming, splitting, regexes."""

from __future__ import annotations

import re

from caravan.hcl.expr.funcs_base import Function, arity, bounded
from caravan.hcl.expr.nodes import ExprError
from caravan.hcl.expr.values import Value, as_list, as_number, as_string, type_name

_VERB = re.compile(r"%(?:%|([-+ #0]*)(\d+)?(?:\.(\d+))?([a-zA-Z]))")


def format_(fmt: Value, *args: Value) -> str:
    """Go-style verbs as cty's format: %s %d %f %t %v %q %x %e %g %%."""
    text = as_string(fmt, "format string")
    queue = list(args)

    def verb(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        if not queue:
            raise ExprError(f"not enough arguments for {match.group(0)}")
        flags, width, precision, kind = match.groups()
        return _one(queue.pop(0), flags or "", width, precision, kind)

    out = _VERB.sub(verb, text)
    if queue:
        raise ExprError(f"too many arguments; no verbs left for {len(queue)} of them")
    return out


def _one(value: Value, flags: str, width: str | None, precision: str | None,
         kind: str) -> str:
    if kind in ("s", "v", "q"):
        shown = _jsonish(value) if isinstance(value, (list, dict)) else as_string(value)
        if kind == "q":
            shown = '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif kind == "t":
        shown = as_string(value).lower()
    elif kind in ("d", "x", "X", "o", "b"):
        n = as_number(value)
        if n != int(n):
            raise ExprError(f"%{kind} needs a whole number, got {n}")
        shown = format(int(n), {"d": "d"}.get(kind, kind))
    elif kind in ("f", "e", "g", "E", "G"):
        shown = format(float(as_number(value)), f".{precision or 6}{kind}"
                       if kind != "g" else "g")
    else:
        raise ExprError(f"unsupported format verb %{kind}")
    if width:
        w = bounded(int(width))
        shown = shown.ljust(w) if "-" in flags else shown.rjust(w, "0" if "0" in flags
                                                                 else " ")
    return shown


def _jsonish(value: Value) -> str:
    import json
    return json.dumps(value, separators=(",", ":"))


def formatlist(fmt: Value, *args: Value) -> list[Value]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise ExprError("all list arguments must have the same length")
    count = lengths.pop() if lengths else 1
    return [format_(fmt, *[a[i] if isinstance(a, list) else a for a in args])
            for i in range(count)]


def replace(text: Value, old: Value, new: Value) -> str:
    s, o, n = as_string(text), as_string(old), as_string(new)
    if len(o) > 1 and o.startswith("/") and o.endswith("/"):
        return regex_replace(s, o[1:-1], n)
    return s.replace(o, n)


def regex_replace(text: Value, pattern: Value, new: Value) -> str:
    try:
        compiled = re.compile(as_string(pattern))
    except re.error as e:
        raise ExprError(f"invalid regular expression: {e}") from None
    # Go's $1 / ${name} references.
    template = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: rf"\g<{m.group(1) or m.group(2)}>",
                      as_string(new).replace("\\", "\\\\"))
    try:
        return compiled.sub(template, as_string(text))
    except (re.error, IndexError) as e:
        raise ExprError(f"invalid replacement: {e}") from None


def substr(text: Value, offset: Value, length: Value) -> str:
    s = as_string(text)
    start, count = int(as_number(offset)), int(as_number(length))
    if start < 0:
        start = max(0, len(s) + start)
    if start > len(s):
        raise ExprError("offset out of range")
    return s[start:] if count < 0 else s[start:start + count]


def indent(spaces: Value, text: Value) -> str:
    pad = " " * bounded(int(as_number(spaces)))
    lines = as_string(text).split("\n")
    return "\n".join([lines[0], *[pad + line for line in lines[1:]]])


def title(text: Value) -> str:
    return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), as_string(text))


def split(sep: Value, text: Value) -> list[Value]:
    separator = as_string(sep)
    if not separator:
        return list(as_string(text))
    return list(as_string(text).split(separator))


def join(sep: Value, *lists: Value) -> str:
    items = [item for value in lists for item in as_list(value)]
    if any(item is None or isinstance(item, (list, dict)) for item in items):
        raise ExprError("join needs a list of strings")
    return as_string(sep).join(as_string(item) for item in items)


def trim(text: Value, chars: Value) -> str:
    return as_string(text).strip(as_string(chars))


def chomp(text: Value) -> str:
    return re.sub(r"(\r\n|\n|\r)+$", "", as_string(text))


def _strlen(text: Value) -> int:
    if not isinstance(text, str):
        raise ExprError(f"a string is required, got {type_name(text)}")
    return len(text)


STRING_FUNCTIONS: dict[str, Function] = {
    "format": arity(1, format_, at_least=True),
    "formatlist": arity(1, formatlist, at_least=True),
    "lower": arity(1, lambda s: as_string(s).lower()),
    "upper": arity(1, lambda s: as_string(s).upper()),
    "title": arity(1, title),
    "trim": arity(2, trim),
    "trimprefix": arity(2, lambda s, p: as_string(s).removeprefix(as_string(p))),
    "trimsuffix": arity(2, lambda s, p: as_string(s).removesuffix(as_string(p))),
    "trimspace": arity(1, lambda s: as_string(s).strip()),
    "replace": arity(3, replace),
    "regex_replace": arity(3, regex_replace),
    "split": arity(2, split),
    "join": arity(2, join, at_least=True),
    "substr": arity(3, substr),
    "chomp": arity(1, chomp),
    "indent": arity(2, indent),
    "strrev": arity(1, lambda s: as_string(s)[::-1]),
    "strlen": arity(1, _strlen),
}
