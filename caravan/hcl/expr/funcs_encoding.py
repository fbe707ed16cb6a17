"""Encoding and hashing functions: JSON, base64, URL, CSV, digests, UUIDs."""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import urllib.parse
import uuid

from caravan.hcl.expr.funcs_base import Function, arity
from caravan.hcl.expr.nodes import ExprError
from caravan.hcl.expr.values import Value, as_string, number


def jsondecode(text: Value) -> Value:
    try:
        return _numbers(json.loads(as_string(text)))
    except (ValueError, RecursionError) as e:
        raise ExprError(f"invalid JSON: {e}") from None


def _numbers(value: Value) -> Value:
    if isinstance(value, float):
        return number(value)
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    return value


def jsonencode(value: Value) -> str:
    # Go's encoder escapes <, > and & as cty's jsonencode does.
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def base64decode(text: Value) -> str:
    try:
        return base64.b64decode(as_string(text), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise ExprError("the string is not valid base64 of UTF-8 text") from None


def csvdecode(text: Value) -> list[Value]:
    rows = list(csv.reader(io.StringIO(as_string(text))))
    if not rows:
        raise ExprError("missing the header line")
    header, body = rows[0], rows[1:]
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ExprError(f"line {i}: {len(row)} fields, the header has {len(header)}")
    return [dict(zip(header, row, strict=True)) for row in body]


def _digest(name: str) -> Function:
    return arity(1, lambda s: hashlib.new(name, as_string(s).encode()).hexdigest())


def uuidv5(namespace: Value, name: Value) -> str:
    spaces = {"dns": uuid.NAMESPACE_DNS, "url": uuid.NAMESPACE_URL,
              "oid": uuid.NAMESPACE_OID, "x500": uuid.NAMESPACE_X500}
    ns = as_string(namespace)
    try:
        space = spaces.get(ns) or uuid.UUID(ns)
    except ValueError:
        raise ExprError(f'"{ns[:40]}" is not a namespace (dns, url, oid, x500 or a UUID)')\
            from None
    return str(uuid.uuid5(space, as_string(name)))


ENCODING_FUNCTIONS: dict[str, Function] = {
    "jsonencode": arity(1, jsonencode), "jsondecode": arity(1, jsondecode),
    "base64encode": arity(1, lambda s: base64.b64encode(as_string(s).encode()).decode()),
    "base64decode": arity(1, base64decode),
    "urlencode": arity(1, lambda s: urllib.parse.quote_plus(as_string(s))),
    "csvdecode": arity(1, csvdecode),
    "sha256": _digest("sha256"), "sha512": _digest("sha512"),
    "sha1": _digest("sha1"), "md5": _digest("md5"),
    "uuidv4": arity(0, lambda: str(uuid.uuid4())), "uuidv5": arity(2, uuidv5),
}
