"""Decoders for blocks that appear at several levels of a job file: `constraint`,
`restart`, `reschedule`, the string maps (`meta`, `env`, artifact `options`), and the
one way an optional unlabeled block becomes its model (`optional_block`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from caravan.jobspec.hcl_body import Body, RawBlock, Spec
from caravan.jobspec.hcl_values import to_bool, to_duration, to_int, to_string, to_string_map
from caravan.structs import Constraint

# Nomad's constraint shorthands: `regexp = "..."` is `operator = "regexp"` + `value`.
_VALUE_SHORTHANDS = ("version", "semver", "regexp", "set_contains", "set_contains_any",
                     "set_contains_all")
CONSTRAINT = Spec(
    attrs={"attribute": ("l_target", to_string), "operator": ("operand", to_string),
           "value": ("r_target", to_string), "distinct_hosts": ("distinct_hosts", to_bool),
           "distinct_property": ("distinct_property", to_string),
           **{name: (name, to_string) for name in _VALUE_SHORTHANDS}},
)
RESTART = Spec(attrs={"attempts": ("attempts", to_int), "interval": ("interval", to_duration),
                      "delay": ("delay", to_duration), "mode": ("mode", to_string),
                      "render_templates": ("render_templates", to_bool)})
RESCHEDULE = Spec(attrs={"attempts": ("attempts", to_int),
                         "interval": ("interval", to_duration),
                         "delay": ("delay", to_duration),
                         "delay_function": ("delay_function", to_string),
                         "max_delay": ("max_delay", to_duration),
                         "unlimited": ("unlimited", to_bool)})
UPDATE = Spec(attrs={"max_parallel": ("max_parallel", to_int),
                     "health_check": ("health_check", to_string),
                     "min_healthy_time": ("min_healthy_time", to_duration),
                     "healthy_deadline": ("healthy_deadline", to_duration),
                     "progress_deadline": ("progress_deadline", to_duration),
                     "auto_revert": ("auto_revert", to_bool),
                     "auto_promote": ("auto_promote", to_bool),
                     "canary": ("canary", to_int), "stagger": ("stagger", to_duration)})
MIGRATE = Spec(attrs={"max_parallel": ("max_parallel", to_int),
                      "health_check": ("health_check", to_string),
                      "min_healthy_time": ("min_healthy_time", to_duration),
                      "healthy_deadline": ("healthy_deadline", to_duration)})
_M = TypeVar("_M", bound=BaseModel)


def present(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop unset fields so that the model's own defaults apply."""
    return {k: v for k, v in fields.items() if v is not None}


def block_body(parent: Body, block: RawBlock, path: str, spec: Spec) -> tuple[Body, dict[str, Any]]:
    """Open an unlabeled child block: check its labels and names, convert its attributes."""
    parent.no_labels(block, path)
    body = parent.child(block, path)
    body.check(spec)
    return body, body.convert(spec)


def constraints(parent: Body) -> list[Constraint] | None:
    blocks = parent.blocks.get("constraint", [])
    if not blocks:
        return None
    return [_constraint(parent, b, f"{parent.path}.constraint[{i}]")
            for i, b in enumerate(blocks)]


def _constraint(parent: Body, block: RawBlock, path: str) -> Constraint:
    _, f = block_body(parent, block, path, CONSTRAINT)
    operand = f.get("operand") or "="
    r_target = f.get("r_target", "")
    l_target = f.get("l_target", "")
    for shorthand in _VALUE_SHORTHANDS:
        if f.get(shorthand):
            operand, r_target = shorthand, f[shorthand]
    if f.get("distinct_hosts"):
        operand = "distinct_hosts"
    if f.get("distinct_property"):
        operand, l_target = "distinct_property", f["distinct_property"]
    return Constraint(l_target=l_target, operand=operand, r_target=r_target)


def optional_block(parent: Body, name: str, spec: Spec, model: type[_M]) -> _M | None:
    """At most one unlabeled `name { ... }` block in `parent`, checked against `spec` and
    validated as `model`; None when the block is absent (the model's defaults apply)."""
    block = parent.single(name)
    if block is None:
        return None
    _, fields = block_body(parent, block, f"{parent.path}.{name}", spec)
    return model.model_validate(fields)


def string_map(parent: Body, name: str) -> dict[str, str] | None:
    """`name { KEY = "v" }` or `name = { "KEY.X" = "v" }` (both are Nomad's); once only."""
    path = f"{parent.path}.{name}"
    # python-hcl2 itself refuses a name used both as an attribute and as a block.
    if name in parent.attrs:
        value = parent.attrs[name]
        if value is None:
            return None
        try:
            return to_string_map(value)
        except ValueError as e:
            parent.error(str(e), line=parent.attr_line(name), path=path)
            return None
    block = parent.single(name)
    if block is None:
        return None
    parent.no_labels(block, path)
    return _map_body(parent.child(block, path))


def _map_body(body: Body) -> dict[str, str]:
    for kind, blocks in body.blocks.items():
        for block in blocks:
            body.error(f'"{kind}" is a block; only string values are allowed here',
                       line=block.start)
    out: dict[str, str] = {}
    for key, value in body.attrs.items():
        if value is None:
            continue
        try:
            out[key] = to_string(value)
        except ValueError as e:
            body.error(str(e), line=body.attr_line(key), path=f"{body.path}.{key}")
    return out
