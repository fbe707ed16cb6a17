"""Decoders for the placement preferences of a job file: `affinity` (job, group, task)
and `spread` with its `target "<value>" { percent }` blocks (job, group)."""

from __future__ import annotations

from caravan.jobspec.hcl_body import Body, RawBlock, Spec
from caravan.jobspec.hcl_common import block_body, present
from caravan.jobspec.hcl_values import to_int, to_string
from caravan.structs import Affinity, Spread, SpreadTarget

# As for constraints, `regexp = "..."` is `operator = "regexp"` with that value.
_SHORTHANDS = ("version", "semver", "regexp", "set_contains", "set_contains_any",
               "set_contains_all")
AFFINITY = Spec(attrs={"attribute": ("l_target", to_string), "operator": ("operand", to_string),
                       "value": ("r_target", to_string), "weight": ("weight", to_int),
                       **{name: (name, to_string) for name in _SHORTHANDS}})
SPREAD = Spec(attrs={"attribute": ("attribute", to_string), "weight": ("weight", to_int)},
              blocks=frozenset({"target"}))
SPREAD_TARGET = Spec(attrs={"percent": ("percent", to_int)})


def affinities(parent: Body) -> list[Affinity] | None:
    blocks = parent.blocks.get("affinity", [])
    return [_affinity(parent, b, f"{parent.path}.affinity[{i}]")
            for i, b in enumerate(blocks)] or None


def _affinity(parent: Body, block: RawBlock, path: str) -> Affinity:
    _, f = block_body(parent, block, path, AFFINITY)
    for shorthand in _SHORTHANDS:
        if f.get(shorthand):
            f["operand"], f["r_target"] = shorthand, f[shorthand]
    if not f.get("operand"):
        f["operand"] = "="
    return Affinity.model_validate(present({k: v for k, v in f.items() if k not in _SHORTHANDS}))


def spreads(parent: Body) -> list[Spread] | None:
    blocks = parent.blocks.get("spread", [])
    return [_spread(parent, b, f"{parent.path}.spread[{i}]")
            for i, b in enumerate(blocks)] or None


def _spread(parent: Body, block: RawBlock, path: str) -> Spread:
    body, f = block_body(parent, block, path, SPREAD)
    targets = [_target(body, t, i) for i, t in enumerate(body.blocks.get("target", []))]
    return Spread.model_validate(present({**f, "spread_target": targets or None}))


def _target(spread: Body, block: RawBlock, index: int) -> SpreadTarget:
    value = spread.label(block, f"{spread.path}.target[{index}]",
                         'target "us-east-1" { percent = 50 }')
    body = spread.child(block, f'{spread.path}.target["{value}"]')
    body.check(SPREAD_TARGET)
    return SpreadTarget.model_validate({**present(body.convert(SPREAD_TARGET)), "value": value})
