"""consul-template's functions over maps and service lists.

    byTag                  services (anything with `Tags`) grouped by tag, in input order
    explodeMap             {"a/b": 1} -> {"a": {"b": 1}}
    mergeMap DST SRC       DST with SRC's keys it lacks (nested maps merged; DST wins)
    mergeMapWithOverride   the same, SRC winning

(parseYAML and toYAML need a YAML library: the client's renderer supplies them.)
"""

from __future__ import annotations

from collections.abc import Mapping

from caravan.gotemplate.calls import ANY, MAP, GoFunc
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


MAP_FUNCS: dict[str, GoFunc] = {
    "byTag": GoFunc(by_tag, (ANY,)),
    "explodeMap": GoFunc(explode_map, (MAP,)),
    "mergeMap": GoFunc(merge_map, (MAP, MAP)),
    "mergeMapWithOverride": GoFunc(lambda d, s: merge_map(d, s, True), (MAP, MAP)),
}
