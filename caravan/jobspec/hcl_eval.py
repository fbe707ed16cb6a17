"""Evaluates the expressions python-hcl2 leaves in a document: every string value is an
HCL template (`"${var.x}-a"`, or `"${upper(local.y)}"` for a bare expression), every
object key holding `${` an expression.

The evaluated document goes on to the decoders, which read strings through
`hcl_values.unescape`; so every string that comes out is escaped again (`${` as `$${`)
and reads back exactly as evaluated, `${attr.kernel.name}` and other runtime references
included (the scope keeps unknown roots as written, as Nomad does).
"""

from __future__ import annotations

from typing import Any

from caravan.hcl.expr import ExprError, Scope, evaluate, parse_template
from caravan.jobspec.hcl_body import Body, Source
from caravan.jobspec.hcl_values import META_KEYS


def has_template(text: str) -> bool:
    return "${" in text or "%{" in text


def evaluate_value(value: Any, scope: Scope) -> Any:
    """A python-hcl2 attribute value with its templates evaluated."""
    if isinstance(value, str):
        return evaluate(parse_template(value), scope) if has_template(value) else value
    if isinstance(value, list):
        return [evaluate_value(item, scope) for item in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = evaluate_value(key, scope) if has_template(str(key)) else key
            if not isinstance(name, (str, int, float)) or isinstance(name, bool):
                raise ExprError(f"an object key must be a string, got {name!r}")
            out[str(name)] = evaluate_value(item, scope)
        return out
    return value


def escape(value: Any) -> Any:
    """The evaluated value as the decoders' `unescape` reads it back unchanged."""
    if isinstance(value, str):
        return value.replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, list):
        return [escape(item) for item in value]
    if isinstance(value, dict):
        return {key: escape(item) for key, item in value.items()}
    return value


def evaluate_body(body: Body, scope: Scope) -> dict[str, Any]:
    """A block body with every attribute evaluated, child blocks walked; a failure is
    reported at the attribute's line and the attribute left out."""
    out: dict[str, Any] = {k: body_meta for k, body_meta in _meta(body).items()}
    for name, value in body.attrs.items():
        try:
            out[name] = escape(evaluate_value(value, scope))
        except ExprError as e:
            body.error(f"{e.message}", line=body.attr_line(name), path=_path(body, name))
    for kind, blocks in body.blocks.items():
        out[kind] = [_block(body, block.labels, block.content, block.start, block.end, kind,
                            scope) for block in blocks]
    return out


def _block(parent: Body, labels: list[str], content: dict[str, Any], start: int, end: int,
           kind: str, scope: Scope) -> dict[str, Any]:
    path = f"{parent.path}.{kind}" if parent.path else kind
    if labels:
        path += "".join(f'["{label}"]' for label in labels)
    child = Body(parent.source, content, path, start, end)
    evaluated: Any = evaluate_body(child, scope)
    for label in reversed(labels):
        evaluated = {label: evaluated}
    return dict(evaluated)


def _meta(body: Body) -> dict[str, int]:
    return {"__start_line__": body.start, "__end_line__": body.end}


def _path(body: Body, name: str) -> str:
    return f"{body.path}.{name}" if body.path else name


def top_body(document: dict[str, Any], source: Source) -> Body:
    content = {k: v for k, v in document.items() if k not in META_KEYS}
    return Body(source, content, "", 1, max(1, len(source.lines)))
