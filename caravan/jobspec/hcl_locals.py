"""`locals { }` blocks: each local may refer to variables and to other locals in any
order; they are evaluated in dependency order, and a cycle is an error naming it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caravan.hcl.expr import ExprError, Scope, parse_template
from caravan.hcl.expr.nodes import Traversal, walk
from caravan.jobspec.hcl_body import Body
from caravan.jobspec.hcl_eval import evaluate_value, has_template


@dataclass(frozen=True)
class Local:
    name: str
    raw: Any
    line: int


def declare_locals(top: Body) -> dict[str, Local]:
    out: dict[str, Local] = {}
    for i, block in enumerate(top.blocks.get("locals", [])):
        top.no_labels(block, "locals")
        body = top.child(block, "locals")
        for kind, blocks in body.blocks.items():
            for child in blocks:
                body.error(f'"{kind}" is a block; a locals block holds only name = value',
                           line=child.start)
        for name, raw in body.attrs.items():
            if name in out:
                body.error(f'Duplicate value in locals: local.{name} is already defined at '
                           f"line {out[name].line}", line=body.attr_line(name))
                continue
            out[name] = Local(name, raw, body.attr_line(name))
    return out


def evaluate_locals(top: Body, locals_: dict[str, Local], scope: Scope) -> dict[str, Any]:
    """The locals' values; a local that fails (or depends on one that did) is left out."""
    values: dict[str, Any] = {}
    failed: set[str] = set()
    deps = {name: _references(local.raw) & set(locals_) for name, local in locals_.items()}
    for name in _order(top, locals_, deps, failed):
        if deps[name] & failed:
            failed.add(name)
            continue
        local = locals_[name]
        try:
            values[name] = evaluate_value(local.raw, scope.with_names(
                {"local": dict(values)}))
        except ExprError as e:
            failed.add(name)
            top.error(f"local.{name}: {e.message}", line=local.line)
    return values


def _references(raw: Any) -> set[str]:
    """The local names `raw` mentions (`local.x`); bad syntax is reported at evaluation."""
    found: set[str] = set()
    if isinstance(raw, str) and has_template(raw):
        try:
            nodes = walk(parse_template(raw))
        except ExprError:
            return found
        found.update(n.steps[0].attr for n in nodes if isinstance(n, Traversal)
                     and n.root == "local" and n.steps and n.steps[0].attr is not None)
    elif isinstance(raw, list):
        for item in raw:
            found |= _references(item)
    elif isinstance(raw, dict):
        for key, item in raw.items():
            found |= _references(str(key)) | _references(item)
    return found


def _order(top: Body, locals_: dict[str, Local], deps: dict[str, set[str]],
           failed: set[str]) -> list[str]:
    """Dependencies first; the members of a cycle are reported and marked failed."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = trail[trail.index(name):] + [name]
            if name not in failed:
                top.error("locals refer to each other in a cycle: " +
                          " -> ".join(f"local.{n}" for n in cycle), line=locals_[name].line)
            failed.update(cycle)
            return
        state[name] = "visiting"
        for dep in sorted(deps[name]):
            visit(dep, [*trail, name])
        state[name] = "done"
        order.append(name)

    for name in locals_:
        visit(name, [])
    return order
