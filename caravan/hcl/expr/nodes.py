"""The syntax tree of HCL2 expressions and templates, and the one error type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ExprError(Exception):
    """An expression that does not parse or evaluate: `message` says what and where."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Node:
    """Base of every syntax node."""


@dataclass(frozen=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True)
class Step:
    """One traversal step: `.name` (attr set) or `[expr]` (index set)."""

    attr: str | None = None
    index: Node | None = None


@dataclass(frozen=True)
class Traversal(Node):
    """`root.a[0].b`: `text` is the source of the root and its static steps, kept so an
    unknown root (Nomad's runtime `${attr.kernel.name}`) can stay as written."""

    root: str
    steps: tuple[Step, ...]
    text: str


@dataclass(frozen=True)
class Postfix(Node):
    """Steps applied to any other expression: `f(x).a`, `(x)[0]`."""

    target: Node
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Splat(Node):
    """`x[*].a` or `x.*.a`: `steps` apply to every element of `target`."""

    target: Node
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]
    expand_last: bool = False


@dataclass(frozen=True)
class Tuple(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class ObjectItem:
    key: Node
    value: Node
    bare_key: str | None = None  # `{ a = 1 }`: the identifier, also usable as a type name


@dataclass(frozen=True)
class Object(Node):
    items: tuple[ObjectItem, ...]


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Conditional(Node):
    cond: Node
    true: Node
    false: Node


@dataclass(frozen=True)
class For(Node):
    """`[for k, v in coll : value if cond]` or `{for ... : key => value... if cond}`."""

    key_var: str | None
    value_var: str
    collection: Node
    value: Node
    key: Node | None = None
    cond: Node | None = None
    group: bool = False


@dataclass(frozen=True)
class Template(Node):
    """Literal strings and nodes; a template of one interpolation yields its raw value."""

    parts: tuple[Node, ...] = field(default_factory=tuple)
    single: bool = False


@dataclass(frozen=True)
class TemplateIf(Node):
    cond: Node
    then: Template
    otherwise: Template


@dataclass(frozen=True)
class TemplateFor(Node):
    key_var: str | None
    value_var: str
    collection: Node
    body: Template


def walk(node: Node) -> list[Node]:
    """Every node below `node`, itself included (for reference checks)."""
    out: list[Node] = [node]
    for child in _children(node):
        out.extend(walk(child))
    return out


def _children(node: Node) -> list[Node]:
    if isinstance(node, (Traversal, Postfix, Splat)):
        kids = [s.index for s in node.steps if s.index is not None]
        return kids if isinstance(node, Traversal) else [node.target, *kids]
    if isinstance(node, Object):
        return [n for item in node.items for n in (item.key, item.value)]
    values = [getattr(node, f) for f in getattr(node, "__dataclass_fields__", {})]
    out: list[Node] = []
    for value in values:
        if isinstance(value, Node):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(v for v in value if isinstance(v, Node))
    return out
