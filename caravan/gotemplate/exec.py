"""Executes parse trees over Python data, with Go's evaluation rules.

One `Executor` per render: it owns the variable stack, the output buffer and the
node it is at (for error positions). Not thread-safe; a Template makes a new one for
every execute(), so one Template may render concurrently.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping

from caravan.gotemplate import nodes as n
from caravan.gotemplate.calls import GoFunc
from caravan.gotemplate.evaluate import Evaluator
from caravan.gotemplate.fmtvalue import SLICES, format_v, sorted_items, type_name
from caravan.gotemplate.values import is_true

MAX_DEPTH = 100


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Executor(Evaluator):
    """Walks the tree and writes the output; see the module docstring for its lifetime."""

    def __init__(self, trees: Mapping[str, n.ListNode], funcs: Mapping[str, GoFunc],
                 parse_name: str, text: str, missing_error: bool) -> None:
        super().__init__(funcs, parse_name, text, missing_error)
        self.trees = trees
        self.out: list[str] = []
        self.depth = 0
        self._walkers: dict[type, Callable[[object, n.Node], None]] = {
            n.TextNode: self._walk_text, n.ActionNode: self._walk_action,
            n.ListNode: self._walk_list, n.IfNode: self._walk_if, n.WithNode: self._walk_with,
            n.RangeNode: self._walk_range, n.TemplateNode: self._walk_template,
            n.BreakNode: self._walk_break, n.ContinueNode: self._walk_continue}

    def execute(self, name: str, dot: object) -> str:
        tree = self.trees.get(name)
        if tree is None:
            raise self.errorf(f'"{name}" is an incomplete or empty template')
        self.name, self.vars = name, [["$", dot]]
        self.walk(dot, tree)
        return "".join(self.out)


    def walk(self, dot: object, node: n.Node) -> None:
        self.node = node
        self._walkers[type(node)](dot, node)

    def _walk_text(self, dot: object, node: n.Node) -> None:
        assert isinstance(node, n.TextNode)
        self.out.append(node.text)

    def _walk_list(self, dot: object, node: n.Node) -> None:
        assert isinstance(node, n.ListNode)
        for child in node.nodes:
            self.walk(dot, child)

    def _walk_action(self, dot: object, node: n.Node) -> None:
        assert isinstance(node, n.ActionNode)
        value = self.eval_pipeline(dot, node.pipe)
        if not node.pipe.decl:
            self.node = node
            self.out.append(self.printable(node, value))

    def printable(self, node: n.Node, value: object) -> str:
        if type(value) is str:  # the common case first: most actions print a string
            return value
        if value is None:
            return "<no value>"
        if inspect.isroutine(value):
            raise self.errorf(f"can't print {node} of type {type_name(value)}")
        return format_v(value)

    def _walk_if(self, dot: object, node: n.Node) -> None:
        self._branch(dot, node, with_dot=False)

    def _walk_with(self, dot: object, node: n.Node) -> None:
        self._branch(dot, node, with_dot=True)

    def _branch(self, dot: object, node: n.Node, with_dot: bool) -> None:
        assert isinstance(node, n.BranchNode)
        mark = len(self.vars)
        value = self.eval_pipeline(dot, node.pipe)
        if is_true(value):
            self.walk(value if with_dot else dot, node.body)
        elif node.else_body is not None:
            self.walk(dot, node.else_body)
        del self.vars[mark:]

    def _walk_break(self, dot: object, node: n.Node) -> None:
        raise _Break

    def _walk_continue(self, dot: object, node: n.Node) -> None:
        raise _Continue

    def _walk_range(self, dot: object, node: n.Node) -> None:
        assert isinstance(node, n.RangeNode)
        start = len(self.vars)
        value = self.eval_pipeline(dot, node.pipe)
        mark = len(self.vars)
        ran = False
        for key, elem in self._range_items(node, value):
            ran = True
            if node.pipe.decl:
                self.vars[mark - 1][1] = elem
            if len(node.pipe.decl) > 1:
                self.vars[mark - 2][1] = key
            try:
                self.walk(elem, node.body)
            except _Break:
                break
            except _Continue:
                pass
            finally:
                del self.vars[mark:]
        if not ran and node.else_body is not None:
            self.walk(dot, node.else_body)
        del self.vars[start:]

    def _range_items(self, node: n.RangeNode, value: object) -> Iterable[tuple[object, object]]:
        """Index (or key) and element pairs, lazily: `range loop 1000000` holds no list."""
        if value is None:
            return ()
        if isinstance(value, SLICES):
            return enumerate(value)
        if isinstance(value, Mapping):
            return sorted_items(value)
        if isinstance(value, int) and not isinstance(value, bool):
            if len(node.pipe.decl) > 1:
                raise self.errorf(f"can't use {value} to iterate over more than one variable")
            return ((i, i) for i in range(value))
        raise self.errorf(f"range can't iterate over {format_v(value)}")

    def _walk_template(self, dot: object, node: n.Node) -> None:
        assert isinstance(node, n.TemplateNode)
        tree = self.trees.get(node.name)
        if tree is None:
            raise self.errorf(f'template "{node.name}" not defined')
        if self.depth >= MAX_DEPTH:
            raise self.errorf(f"exceeded maximum template depth ({MAX_DEPTH})")
        new_dot = self.eval_pipeline(dot, node.pipe) if node.pipe is not None else None
        saved = (self.vars, self.name)
        self.vars, self.name = [["$", new_dot]], node.name
        self.depth += 1
        try:
            self.walk(new_dot, tree)
        finally:
            self.vars, self.name = saved
            self.depth -= 1
