"""consul-template's parseYAML and toYAML, with PyYAML (the template engine itself stays
standard-library only; the renderer hands these to it).

    parseYAML   YAML text -> maps, lists and scalars (timestamps stay strings, as in Go)
    toYAML      a value -> YAML, keys sorted, without the final newline
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import yaml

from caravan.gotemplate import FuncError, GoFunc
from caravan.gotemplate.calls import ANY, STRING
from caravan.gotemplate.fmtvalue import SLICES


class _Loader(yaml.SafeLoader):
    """YAML 1.1 as PyYAML reads it, minus timestamps: Go's decoder keeps them strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def parse_yaml(text: str) -> object:
    try:
        value = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        raise FuncError(f"parseYAML: {err}") from None
    return {} if value is None else _plain(value)


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, bytes)):
        return str(value)
    return value


def to_yaml(value: object) -> str:
    try:
        text = yaml.safe_dump(_plain(_data(value)), default_flow_style=False, sort_keys=True,
                              allow_unicode=True)
    except yaml.YAMLError as err:
        raise FuncError(f"toYAML: {err}") from None
    return text.removesuffix("\n").removesuffix("\n...")


def _data(value: object) -> object:
    """Mappings and sequences of any kind as dicts and lists (what safe_dump takes)."""
    if isinstance(value, Mapping):
        return {str(k): _data(v) for k, v in value.items()}
    if isinstance(value, SLICES):
        return [_data(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)  # Go writes float64(1) as 1 (parseJSON numbers are floats)
    return value


YAML_FUNCS: dict[str, GoFunc] = {
    "parseYAML": GoFunc(parse_yaml, (STRING,)),
    "toYAML": GoFunc(to_yaml, (ANY,)),
}
