"""Builds parse trees from tokens, with Go's grammar and Go's error messages.

    parse(name, text, funcs, left, right) -> {template name: ListNode}

The top-level text becomes the template `name`; each `{{define "x"}}` and
`{{block "x" ...}}` adds one more. Functions and variables are checked while
parsing, as Go does: an unknown function or an undeclared `$x` is a parse error.
"""

from __future__ import annotations

from collections.abc import Callable, Container

from caravan.gotemplate import lexer as lx
from caravan.gotemplate import nodes as n
from caravan.gotemplate.lexer import Token
from caravan.gotemplate.parse_pipeline import PipelineParser


class _End(n.Node):
    def __str__(self) -> str:
        return "{{end}}"


class _Else(n.Node):
    def __str__(self) -> str:
        return "{{else}}"


def parse(name: str, text: str, funcs: Container[str], left: str = "{{",
          right: str = "}}") -> dict[str, n.ListNode]:
    trees: dict[str, n.ListNode] = {}
    parser = _Parser(name, lx.Lexer(text, left, right).tokens(), funcs, trees)
    parser.parse_top()
    return trees


class _Parser(PipelineParser):
    """The structure of a template: text, actions, control blocks and definitions."""

    def __init__(self, name: str, tokens: list[Token], funcs: Container[str],
                 trees: dict[str, n.ListNode]) -> None:
        super().__init__(name, tokens, funcs)
        self.trees = trees
        self.range_depth = 0
        self.controls: dict[str, Callable[[Token], n.Node]] = {
            "block": self._block, "break": self._break, "continue": self._continue,
            "else": self._else, "end": self._end, "if": self._if, "range": self._range,
            "template": self._template, "with": self._with}


    def parse_top(self) -> None:
        root = n.ListNode(self.peek().pos)
        while self.peek().kind != lx.EOF:
            if self.peek().kind == lx.LEFT:
                mark = self.i
                self.next()
                if self.next_non_space().kind == "define":
                    self._definition()
                    continue
                self.i = mark
            node = self.text_or_action()
            if isinstance(node, (_End, _Else)):
                raise self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        self._add(self.name, root)

    def _add(self, name: str, root: n.ListNode) -> None:
        existing = self.trees.get(name)
        if existing is None or _is_empty(existing):
            self.trees[name] = root
        elif not _is_empty(root):
            raise self.errorf(f'template: multiple definition of template "{name}"')

    def _define_body(self, name: str, context: str) -> None:
        """The body of `define` or `block` up to its `end`, added as template `name`; it
        sees only `$` of the variables around it, as in Go."""
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        self.vars = saved_vars
        if not isinstance(end, _End):
            raise self.errorf(f"unexpected {end} in {context}")
        self._add(name, body)

    def _definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.kind not in (lx.STRING, lx.RAW):
            raise self.unexpected(tok, context)
        name = self._unquote(tok)
        self.expect(lx.RIGHT, context)
        self._define_body(name, context)

    def item_list(self) -> tuple[n.ListNode, n.Node]:
        body = n.ListNode(self.peek_non_space().pos)
        while self.peek_non_space().kind != lx.EOF:
            node = self.text_or_action()
            if isinstance(node, (_End, _Else)):
                return body, node
            body.nodes.append(node)
        raise self.errorf("unexpected EOF")

    def text_or_action(self) -> n.Node:
        tok = self.next_non_space()
        if tok.kind == lx.TEXT:
            return n.TextNode(tok.pos, tok.val)
        if tok.kind == lx.LEFT:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        raise self.unexpected(tok, "input")

    def action(self) -> n.Node:
        tok = self.next_non_space()
        control = self.controls.get(tok.kind)
        if control is not None:
            return control(tok)
        self.i -= 1
        start = self.peek()
        return n.ActionNode(start.pos, start.line, self.pipeline("command", lx.RIGHT))

    def _end(self, tok: Token) -> n.Node:
        return _End(self.expect(lx.RIGHT, "end").pos)

    def _else(self, tok: Token) -> n.Node:
        peek = self.peek_non_space()
        if peek.kind in ("if", "with"):
            return _Else(peek.pos)
        return _Else(self.expect(lx.RIGHT, "else").pos)

    def _break(self, tok: Token) -> n.Node:
        return self._loop_control(tok, "break", n.BreakNode)

    def _continue(self, tok: Token) -> n.Node:
        return self._loop_control(tok, "continue", n.ContinueNode)

    def _loop_control(self, tok: Token, word: str,
                      cls: type[n.BreakNode] | type[n.ContinueNode]) -> n.Node:
        after = self.next_non_space()
        if after.kind != lx.RIGHT:
            raise self.unexpected(after, f"{{{{{word}}}}}")
        if self.range_depth == 0:
            raise self.errorf(f"{{{{{word}}}}} outside {{{{range}}}}")
        return cls(tok.pos, tok.line)

    def _if(self, tok: Token) -> n.Node:
        return n.IfNode(*self._control("if"))

    def _range(self, tok: Token) -> n.Node:
        return n.RangeNode(*self._control("range"))

    def _with(self, tok: Token) -> n.Node:
        return n.WithNode(*self._control("with"))

    def _control(self, context: str) -> tuple[int, int, n.PipeNode, n.ListNode, n.ListNode | None]:
        mark = len(self.vars)
        pipe = self.pipeline(context, lx.RIGHT)
        self.range_depth += context == "range"
        body, end = self.item_list()
        self.range_depth -= context == "range"
        else_body: n.ListNode | None = None
        if isinstance(end, _Else):
            chained = self.peek()
            if context in ("if", "with") and chained.kind == context:
                self.next()
                else_body = n.ListNode(end.pos, [self.action_for(context, chained)])
            else:
                else_body, end = self.item_list()
                if not isinstance(end, _End):
                    raise self.errorf(f"expected end; found {end}")
        del self.vars[mark:]
        return pipe.pos, pipe.line, pipe, body, else_body

    def action_for(self, context: str, tok: Token) -> n.Node:
        return self._if(tok) if context == "if" else self._with(tok)

    def _block(self, tok: Token) -> n.Node:
        context = "block clause"
        name_tok = self.next_non_space()
        name = self._template_name(name_tok, context)
        pipe = self.pipeline(context, lx.RIGHT)
        self._define_body(name, context)
        return n.TemplateNode(name_tok.pos, name_tok.line, name, pipe)

    def _template(self, tok: Token) -> n.Node:
        context = "template clause"
        name_tok = self.next_non_space()
        name = self._template_name(name_tok, context)
        pipe = None
        if self.next_non_space().kind != lx.RIGHT:
            self.i -= 1
            pipe = self.pipeline(context, lx.RIGHT)
        return n.TemplateNode(name_tok.pos, name_tok.line, name, pipe)

    def _template_name(self, tok: Token, context: str) -> str:
        if tok.kind not in (lx.STRING, lx.RAW):
            raise self.unexpected(tok, context)
        return self._unquote(tok)


def _is_empty(node: n.Node) -> bool:
    if isinstance(node, n.ListNode):
        return all(_is_empty(child) for child in node.nodes)
    if isinstance(node, n.TextNode):
        return not node.text.strip()
    return False
