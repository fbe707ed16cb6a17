"""consul-template's string, encoding and parsing functions, Consul- and Vault-free.

Argument order is consul-template's, made for pipes: `{{ .x | split "," }}` calls
split(",", x). Messages follow Go's strconv and encoding packages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re

from caravan.gotemplate import gojson
from caravan.gotemplate.calls import ANY, INT, SLICE, STRING, GoFunc
from caravan.gotemplate.errors import FuncError

_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007" \
            "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)",
                    re.IGNORECASE)
_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
          "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}
_GO_GROUP = re.compile(r"\$(?:\{(\w+)\}|(\w+)|(\$))")


def _strconv(func: str, text: str, why: str) -> FuncError:
    return FuncError(f'{func}: strconv.{func[0].upper()}{func[1:]}: parsing "{text}": {why}')


def _b64decode(name: str, text: str, altchars: bytes | None) -> str:
    try:
        data = base64.b64decode(text.encode(), altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        bad = next((i for i, c in enumerate(text) if not (c.isalnum() or c in "+/-_=")), len(text))
        raise FuncError(f"{name}: illegal base64 data at input byte {bad}") from None
    return data.decode("utf-8", "replace")


def parse_int(text: str, bits_unsigned: bool = False) -> int:
    name = "parseUint" if bits_unsigned else "parseInt"
    if text == "":
        return 0
    if not _INT.fullmatch(text) or (bits_unsigned and text[0] in "+-"):
        raise _strconv(name, text, "invalid syntax")
    value = int(text)
    low, high = (0, 2**64 - 1) if bits_unsigned else (-(2**63), 2**63 - 1)
    if not low <= value <= high:
        raise _strconv(name, text, "value out of range")
    return value


def parse_float(text: str) -> float:
    if text == "":
        return 0.0
    if not _FLOAT.fullmatch(text):
        raise _strconv("parseFloat", text, "invalid syntax")
    return float(text)


def parse_bool(text: str) -> bool:
    if text == "":
        return False
    if text not in _BOOLS:
        raise _strconv("parseBool", text, "invalid syntax")
    return _BOOLS[text]


def parse_json(text: str) -> object:
    if text == "":
        return {}
    try:
        # encoding/json decodes every number into a float64.
        return json.loads(text, parse_int=float)
    except json.JSONDecodeError as err:
        raise FuncError(f"invalid character at line {err.lineno} column {err.colno}: {err.msg}") from None


def split(sep: str, text: str) -> list[str]:
    text = text.strip(_GO_SPACE)
    if text == "":
        return []
    return list(text) if sep == "" else text.split(sep)


def split_to_map(sep1: str, sep2: str, text: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for part in split(sep1, text):
        key, found, value = part.partition(sep2)
        if found:
            result[key] = value
    return result


def join(sep: str, items: list[object]) -> str:
    if not all(isinstance(i, str) for i in items):
        raise FuncError("join: every element must be a string")
    return sep.join(str(i) for i in items)


def regex_replace_all(pattern: str, replacement: str, text: str) -> str:
    compiled = _compile(pattern)

    def expand(match: re.Match[str]) -> str:
        return _GO_GROUP.sub(lambda g: _group(match, g), replacement)

    return compiled.sub(expand, text)


def _group(match: re.Match[str], ref: re.Match[str]) -> str:
    if ref.group(3):
        return "$"
    name = ref.group(1) or ref.group(2)
    try:
        return match.group(int(name) if name.isdigit() else name) or ""
    except IndexError:  # Go expands an unknown group to nothing
        return ""


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as err:
        raise FuncError(f"error parsing regexp: {err}") from None


def indent(spaces: int, text: str) -> str:
    if spaces < 0:
        raise FuncError("indent value must be a positive integer")
    prefix = " " * spaces
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def to_title(text: str) -> str:
    """cases.Title with NoLower: the first letter of each word upper-cased, the rest kept."""
    return re.sub(r"(?<![\w'’])(\w)", lambda m: m.group(1).upper(), text)


def hmac_sha256_hex(message: str, secret: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


TEXT_FUNCS: dict[str, GoFunc] = {
    "base64Decode": GoFunc(lambda s: _b64decode("base64Decode", s, None), (STRING,)),
    "base64Encode": GoFunc(lambda s: base64.b64encode(s.encode()).decode(), (STRING,)),
    "base64URLDecode": GoFunc(lambda s: _b64decode("base64URLDecode", s, b"-_"), (STRING,)),
    "base64URLEncode": GoFunc(lambda s: base64.urlsafe_b64encode(s.encode()).decode(), (STRING,)),
    "toJSON": GoFunc(lambda v: gojson.dumps(v), (ANY,)),
    "toJSONPretty": GoFunc(lambda v: gojson.dumps(v, indent="  "), (ANY,)),
    "toUnescapedJSON": GoFunc(lambda v: gojson.dumps(v, escape_html=False), (ANY,)),
    "toUnescapedJSONPretty": GoFunc(lambda v: gojson.dumps(v, "  ", escape_html=False), (ANY,)),
    "parseJSON": GoFunc(parse_json, (STRING,)),
    "parseInt": GoFunc(parse_int, (STRING,)),
    "parseUint": GoFunc(lambda s: parse_int(s, bits_unsigned=True), (STRING,)),
    "parseFloat": GoFunc(parse_float, (STRING,)),
    "parseBool": GoFunc(parse_bool, (STRING,)),
    "split": GoFunc(split, (STRING, STRING)),
    "splitToMap": GoFunc(split_to_map, (STRING, STRING, STRING)),
    "join": GoFunc(join, (STRING, SLICE)),
    "replaceAll": GoFunc(lambda old, new, s: s.replace(old, new), (STRING, STRING, STRING)),
    "regexMatch": GoFunc(lambda p, s: _compile(p).search(s) is not None, (STRING, STRING)),
    "regexReplaceAll": GoFunc(regex_replace_all, (STRING, STRING, STRING)),
    "toLower": GoFunc(str.lower, (STRING,)),
    "toUpper": GoFunc(str.upper, (STRING,)),
    "toTitle": GoFunc(to_title, (STRING,)),
    "trimSpace": GoFunc(lambda s: s.strip(_GO_SPACE), (STRING,)),
    "trim": GoFunc(lambda cut, s: s.strip(cut), (STRING, STRING)),
    "trimPrefix": GoFunc(lambda p, s: s.removeprefix(p), (STRING, STRING)),
    "trimSuffix": GoFunc(lambda p, s: s.removesuffix(p), (STRING, STRING)),
    "sha256Hex": GoFunc(lambda s: hashlib.sha256(s.encode()).hexdigest(), (STRING,)),
    "md5sum": GoFunc(lambda s: hashlib.md5(s.encode(), usedforsecurity=False).hexdigest(), (STRING,)),
    "hmacSHA256Hex": GoFunc(hmac_sha256_hex, (STRING, STRING)),
    "indent": GoFunc(indent, (INT, STRING)),
}
