"""consul-template's functions over maps, service lists and YAML.

    byTag                  services (anything with `Tags`) grouped by tag, in input order
    explodeMap             {"a/b": 1} -> {"a": {"b": 1}}
    mergeMap DST SRC       DST with SRC's keys it lacks (nested maps merged; DST wins)
    mergeMapWithOverride   the same, SRC winning
    parseYAML / toYAML     YAML text <-> values (toYAML: keys sorted, no final newline)
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import yaml

from caravan.gotemplate.calls import ANY, MAP, STRING, GoFunc
from caravan.gotemplate.errors import FuncError
from caravan.gotemplate.fmtvalue import SLICES


def by_tag(services: object) -> dict[str, list[object]]:
    if not isinstance(services, SLICES):
        raise FuncError(f"byTag: wrong argument type {type(services).__name__}")
    out: dict[str, list[object]] = {}
    for service in services:
        tags = service.get("Tags") if isinstance(service, Mapping) else \
            getattr(service, "Tags", None)
        for tag in tags or []:
            out.setdefault(str(tag), []).append(service)
    return out


def explode_map(flat: Mapping[str, object] | None) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in (flat or {}).items():
        parts = [p for p in str(key).split("/") if p]
        if not parts:
            continue
        node = out
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise FuncError(f"explodeMap: {key!r} is under a key that has a value")
            node = child
        node[parts[-1]] = value
    return out


def merge_map(dst: Mapping[str, object] | None, src: Mapping[str, object] | None,
              override: bool = False) -> dict[str, object]:
    out = dict(dst or {})
    for key, value in (src or {}).items():
        mine = out.get(key)
        if isinstance(mine, Mapping) and isinstance(value, Mapping):
            out[key] = merge_map(mine, value, override)
        elif key not in out or override or _empty(mine):
            out[key] = value
    return out


def _empty(value: object) -> bool:
    return value is None or value in ("", 0, False) or (
        isinstance(value, (list, dict)) and not value)


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
    return value


MAP_FUNCS: dict[str, GoFunc] = {
    "byTag": GoFunc(by_tag, (ANY,)),
    "explodeMap": GoFunc(explode_map, (MAP,)),
    "mergeMap": GoFunc(merge_map, (MAP, MAP)),
    "mergeMapWithOverride": GoFunc(lambda d, s: merge_map(d, s, True), (MAP, MAP)),
    "parseYAML": GoFunc(parse_yaml, (STRING,)),
    "toYAML": GoFunc(to_yaml, (ANY,)),
}
