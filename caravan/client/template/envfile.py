"""An `env = true` template's output as environment variables (go-envparse's format).

    # a comment line          KEY=value             export KEY=value
    QUOTED="a\\nb \\"c\\""      LITERAL='no $escapes'

Blank lines and lines starting with `#` are skipped; a `#` later in a line is part of
the value. The first `=` splits key from value. Unquoted values lose surrounding
blanks; double-quoted ones take Go's backslash escapes; single-quoted ones are literal.
"""

from __future__ import annotations

import re

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "$": "$", "a": "\a",
            "b": "\b", "f": "\f", "v": "\v", "'": "'"}


class EnvFileError(ValueError):
    pass


def parse_env(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export ") or line.startswith("export\t"):
            line = line[len("export"):].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep:
            raise EnvFileError(f"line {number}: no '=' in {raw!r}")
        if not _KEY.match(key):
            raise EnvFileError(f"line {number}: invalid variable name {key!r}")
        out[key] = _value(value.strip(), number)
    return out


def _value(value: str, number: int) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    if value[:1] == '"':
        if len(value) < 2 or value[-1] != '"':
            raise EnvFileError(f"line {number}: unterminated quoted value")
        return _unescape(value[1:-1], number)
    return value


def _unescape(text: str, number: int) -> str:
    out, chars = [], iter(text)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        escaped = next(chars, "")
        if escaped not in _ESCAPES:
            raise EnvFileError(f"line {number}: invalid escape \\{escaped}")
        out.append(_ESCAPES[escaped])
    return "".join(out)
