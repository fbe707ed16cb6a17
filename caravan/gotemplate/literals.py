"""Go literals as the template lexer finds them: strings, raw strings, characters, numbers.

Numbers follow Go's constant syntax: decimal, 0x/0o/0b prefixes, legacy leading-zero
octal, `_` separators, floats with exponents, hex floats. Complex constants (`1i`) are
refused: no consul-template function takes one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                   "v": "\v", "\\": "\\", "'": "'", '"': '"'}
_HEX_LEN = {"x": 2, "u": 4, "U": 8}
_LEGACY_OCTAL = re.compile(r"[+-]?0[0-7_]+")


class LiteralError(ValueError):
    """Go's strconv wording: 'invalid syntax' or a more specific message."""


@dataclass(frozen=True)
class Number:
    """A numeric constant: `as_int` is set when the text denotes an integer value."""

    text: str
    as_int: int | None
    as_float: float | None
    is_float_syntax: bool


def unquote(token: str) -> str:
    """strconv.Unquote for "...", `...` and '...' tokens."""
    if token.startswith("`"):
        return token[1:-1].replace("\r", "")
    quote, body = token[0], token[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            if ch == quote or ch == "\n":
                raise LiteralError("invalid syntax")
            out.append(ch)
            i += 1
            continue
        decoded, i = _escape(body, i + 1, quote)
        out.append(decoded)
    text = "".join(out)
    if quote == "'" and len(text) != 1:
        raise LiteralError("invalid syntax")
    return text


def _escape(body: str, i: int, quote: str) -> tuple[str, int]:
    if i >= len(body):
        raise LiteralError("invalid syntax")
    ch = body[i]
    if ch in _SIMPLE_ESCAPES and (ch not in "'\"" or ch == quote):
        return _SIMPLE_ESCAPES[ch], i + 1
    if ch in _HEX_LEN:
        digits = body[i + 1:i + 1 + _HEX_LEN[ch]]
        if len(digits) != _HEX_LEN[ch] or not re.fullmatch(r"[0-9a-fA-F]+", digits):
            raise LiteralError("invalid syntax")
        code = int(digits, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise LiteralError("invalid syntax")
        return chr(code), i + 1 + _HEX_LEN[ch]
    if ch in "01234567":
        digits = body[i:i + 3]
        if not re.fullmatch(r"[0-7]{3}", digits) or int(digits, 8) > 255:
            raise LiteralError("invalid syntax")
        return chr(int(digits, 8)), i + 3
    raise LiteralError("invalid syntax")


def parse_number(text: str) -> Number:
    """A number token's value; LiteralError names what is wrong as Go's parser does."""
    if text.endswith("i"):
        raise LiteralError(f"complex numbers are not supported: {text!r}")
    if text.startswith("'"):
        code = ord(unquote(text))
        return Number(text, code, float(code), False)
    as_int = _int_value(text)
    float_syntax = _is_float_syntax(text)
    if as_int is not None and not float_syntax and not -(2**63) <= as_int < 2**63:
        # Go's int is 64 bits; a constant past it is refused rather than wrapped.
        raise LiteralError(f"integer overflow: {_go_q(text)}")
    if as_int is not None and not float_syntax:
        return Number(text, as_int, float(as_int), False)
    if not float_syntax:
        raise LiteralError(f"illegal number syntax: {_go_q(text)}")
    value = _float_value(text)
    integral = int(value) if value.is_integer() and abs(value) < 2**63 else None
    return Number(text, integral, value, True)


def _go_q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_float_syntax(text: str) -> bool:
    lowered = text.lower()
    if lowered.lstrip("+-").startswith("0x"):
        return "p" in lowered
    return any(c in lowered for c in ".e")


def _int_value(text: str) -> int | None:
    try:
        if _LEGACY_OCTAL.fullmatch(text):
            return int(text.replace("_", ""), 8)
        return int(text, 0)
    except ValueError:
        return None


def _float_value(text: str) -> float:
    try:
        body = text.lstrip("+-")
        sign = -1.0 if text.startswith("-") else 1.0
        if body.lower().startswith("0x"):
            return sign * float.fromhex(body.replace("_", ""))
        return sign * float(body.replace("_", ""))
    except ValueError:
        raise LiteralError(f"illegal number syntax: {_go_q(text)}") from None
