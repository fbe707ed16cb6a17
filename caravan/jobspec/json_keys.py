"""Helpers of the JSON decoder: a model's keys, how it nests, and when a refused key
(from the table in `fields.py`) carries nothing.

Nomad's JSON Job carries many fields caravan does not implement (`Update`,
`Services`, `Templates`, ...). They are accepted when they carry nothing (null,
empty, zero) or only Nomad's own defaults, as `nomad job inspect` prints them
for every job; with any other value they are refused as not supported, so a job
never silently loses part of its meaning.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

from pydantic import BaseModel

_S = 1_000_000_000
# Nomad's canonical UpdateStrategy / MigrateStrategy / group consul values.
_UPDATE_DEFAULTS = {"stagger": 30 * _S, "maxparallel": 1, "healthcheck": "checks",
                    "minhealthytime": 10 * _S, "healthydeadline": 300 * _S,
                    "progressdeadline": 600 * _S}
_CONSUL_DEFAULTS = {"cluster": "default"}
_DEFAULTS: dict[str, dict[str, Any]] = {"update": _UPDATE_DEFAULTS,
                                        "migrate": _UPDATE_DEFAULTS,
                                        "consul": _CONSUL_DEFAULTS}
# Nomad's canonical values of refused scalars, as `job inspect` prints them.
_SCALAR_DEFAULTS: dict[str, Any] = {"propagationmode": "private"}


def is_empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    return value is None or value in ("", 0, False, [])


def carries_nothing(key: str, value: Any) -> bool:
    """True when a value says nothing beyond Nomad's defaults for `key` (lower-case)."""
    if is_empty(value) or _SCALAR_DEFAULTS.get(key, None) == value:
        return True
    defaults = _DEFAULTS.get(key)
    if defaults is None or not isinstance(value, dict):
        return False
    return all(is_empty(v) or defaults.get(str(k).lower()) == v for k, v in value.items())


@functools.cache
def field_names(model: type[BaseModel]) -> dict[str, str]:
    """Lower-cased JSON alias (and Python name) -> Python field name (do not modify)."""
    out: dict[str, str] = {}
    for name, info in model.model_fields.items():
        out[name.lower()] = name
        out[(info.alias or name).lower()] = name
    return out


@functools.cache
def json_alias(model: type[BaseModel], field: str) -> str:
    """A field's key in Nomad's JSON (cached: reading `model_fields` is slow per key)."""
    return model.model_fields[field].alias or field


@functools.cache
def nested_model(model: type[BaseModel], field: str) -> tuple[str, type[BaseModel]] | None:
    """How a field holds sub-models: ("one"|"list"|"map", Model), or None for plain values."""
    return _shape(model.model_fields[field].annotation)


def _shape(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _shape(inner[0]) if len(inner) == 1 else None
    if origin is list and args and _is_model(args[0]):
        return "list", args[0]
    if origin is dict and len(args) == 2 and _is_model(args[1]):
        return "map", args[1]
    if _is_model(annotation):
        return "one", annotation
    return None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
