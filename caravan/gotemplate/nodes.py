"""The parse tree: one class per kind of Go text/template node.

Every node keeps `pos`, its character offset in the source text, so an
execution error can name line and column. `str(node)` prints the node back as Go's
parse.Node.String() does; those strings are the `<...>` context of error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from caravan.gotemplate.literals import Number


@dataclass(slots=True)
class Node:
    pos: int


@dataclass(slots=True)
class TextNode(Node):
    text: str

    def __str__(self) -> str:
        return repr(self.text)


@dataclass(slots=True)
class DotNode(Node):
    def __str__(self) -> str:
        return "."


@dataclass(slots=True)
class NilNode(Node):
    def __str__(self) -> str:
        return "nil"


@dataclass(slots=True)
class BoolNode(Node):
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(slots=True)
class NumberNode(Node):
    number: Number

    def __str__(self) -> str:
        return self.number.text


@dataclass(slots=True)
class StringNode(Node):
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass(slots=True)
class IdentifierNode(Node):
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True)
class FieldNode(Node):
    """`.A.B`: idents are ["A", "B"]."""

    idents: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.idents)


@dataclass(slots=True)
class VariableNode(Node):
    """`$x.A`: idents are ["$x", "A"]."""

    idents: list[str]

    def __str__(self) -> str:
        return ".".join(self.idents)


@dataclass(slots=True)
class ChainNode(Node):
    """`(pipeline).A.B` or `fn.A`: fields applied to the value of a term."""

    node: Node
    fields: list[str]

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + f for f in self.fields)


@dataclass(slots=True)
class CommandNode(Node):
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


@dataclass(slots=True)
class PipeNode(Node):
    line: int
    decl: list[VariableNode] = field(default_factory=list)
    is_assign: bool = False
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return head + " | ".join(str(c) for c in self.cmds)


@dataclass(slots=True)
class ListNode(Node):
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass(slots=True)
class ActionNode(Node):
    line: int
    pipe: PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(slots=True)
class BranchNode(Node):
    """if, range and with: a pipeline, a body and an optional else body."""

    line: int
    pipe: PipeNode
    body: ListNode
    else_body: ListNode | None
    keyword: ClassVar[str] = ""

    def __str__(self) -> str:
        tail = f"{{{{else}}}}{self.else_body}" if self.else_body is not None else ""
        return f"{{{{{self.keyword} {self.pipe}}}}}{self.body}{tail}{{{{end}}}}"


@dataclass(slots=True)
class IfNode(BranchNode):
    keyword: ClassVar[str] = "if"


@dataclass(slots=True)
class RangeNode(BranchNode):
    keyword: ClassVar[str] = "range"


@dataclass(slots=True)
class WithNode(BranchNode):
    keyword: ClassVar[str] = "with"


@dataclass(slots=True)
class TemplateNode(Node):
    line: int
    name: str
    pipe: PipeNode | None

    def __str__(self) -> str:
        quoted = '"' + self.name + '"'
        if self.pipe is None:
            return f"{{{{template {quoted}}}}}"
        return f"{{{{template {quoted} {self.pipe}}}}}"


@dataclass(slots=True)
class BreakNode(Node):
    line: int

    def __str__(self) -> str:
        return "{{break}}"


@dataclass(slots=True)
class ContinueNode(Node):
    line: int

    def __str__(self) -> str:
        return "{{continue}}"
