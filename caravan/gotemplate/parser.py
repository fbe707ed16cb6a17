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
from caravan.gotemplate.errors import TemplateParseError
from caravan.gotemplate.lexer import Token
from caravan.gotemplate.literals import LiteralError, parse_number, unquote

_OPERAND_START = frozenset({lx.BOOL, lx.CHAR_CONST, lx.DOT, lx.FIELD, lx.IDENT, lx.NUMBER,
                            lx.NIL, lx.RAW, lx.STRING, lx.VARIABLE, lx.LPAREN})


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


class _Parser:
    def __init__(self, name: str, tokens: list[Token], funcs: Container[str],
                 trees: dict[str, n.ListNode]) -> None:
        self.name = name
        self.tokens = tokens
        self.last = len(tokens) - 1  # the EOF or ERROR token; reading past it repeats it
        self.i = 0
        self.seen = 0
        self.funcs = funcs
        self.trees = trees
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0
        self.controls: dict[str, Callable[[Token], n.Node]] = {
            "block": self._block, "break": self._break, "continue": self._continue,
            "else": self._else, "end": self._end, "if": self._if, "range": self._range,
            "template": self._template, "with": self._with}

    # -- tokens

    def next(self) -> Token:
        i = self.i if self.i < self.last else self.last
        self.i = i + 1
        if i > self.seen:
            self.seen = i
        return self.tokens[i]

    def peek(self) -> Token:
        i = self.i if self.i < self.last else self.last
        if i > self.seen:
            self.seen = i
        return self.tokens[i]

    def next_non_space(self) -> Token:
        tok = self.next()
        while tok.kind == lx.SPACE:
            tok = self.next()
        return tok

    def peek_non_space(self) -> Token:
        tok = self.next_non_space()
        self.i -= 1
        return tok

    def errorf(self, message: str) -> TemplateParseError:
        line = self.tokens[min(self.seen, len(self.tokens) - 1)].line
        return TemplateParseError(self.name, line, message)

    def unexpected(self, tok: Token, context: str) -> TemplateParseError:
        if tok.kind == lx.ERROR:
            extra = ""
            if self.action_line and self.action_line != tok.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            return self.errorf(tok.val + extra)
        return self.errorf(f"unexpected {_token_str(tok)} in {context}")

    def expect(self, kind: str, context: str) -> Token:
        tok = self.next_non_space()
        if tok.kind != kind:
            raise self.unexpected(tok, context)
        return tok

    # -- structure

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

    def _definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.kind not in (lx.STRING, lx.RAW):
            raise self.unexpected(tok, context)
        name = self._unquote(tok)
        self.expect(lx.RIGHT, context)
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        self.vars = saved_vars
        if not isinstance(end, _End):
            raise self.errorf(f"unexpected {end} in {context}")
        self._add(name, body)

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
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        self.vars = saved_vars
        if not isinstance(end, _End):
            raise self.errorf(f"unexpected {end} in {context}")
        self._add(name, body)
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

    def _unquote(self, tok: Token) -> str:
        try:
            return unquote(tok.val)
        except LiteralError as err:
            raise self.errorf(str(err)) from None

    # -- pipelines

    def pipeline(self, context: str, end: str) -> n.PipeNode:
        start = self.peek_non_space()
        pipe = n.PipeNode(start.pos, start.line)
        self._declarations(pipe, context)
        while True:
            tok = self.next_non_space()
            if tok.kind == end:
                self._check_pipeline(pipe, context)
                if end == lx.RPAREN:
                    self.i -= 1
                return pipe
            if tok.kind not in _OPERAND_START:
                raise self.unexpected(tok, context)
            self.i -= 1
            pipe.cmds.append(self.command())

    def _declarations(self, pipe: n.PipeNode, context: str) -> None:
        while True:
            var = self.peek_non_space()
            if var.kind != lx.VARIABLE:
                return
            mark = self.i
            self.next_non_space()
            after = self.peek_non_space()
            if after.kind in (lx.ASSIGN, lx.DECLARE):
                self.next_non_space()
                pipe.is_assign = after.kind == lx.ASSIGN
                if pipe.is_assign:
                    self._use_var(var.pos, var.val)
                pipe.decl.append(n.VariableNode(var.pos, [var.val]))
                self.vars.append(var.val)
                return
            if after.kind == lx.CHAR and after.val == ",":
                self.next_non_space()
                pipe.decl.append(n.VariableNode(var.pos, [var.val]))
                self.vars.append(var.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().kind in (lx.VARIABLE, lx.RIGHT, lx.RPAREN):
                        continue
                    raise self.errorf("range can only initialize variables")
                raise self.errorf(f"too many declarations in {context}")
            self.i = mark
            return

    def _check_pipeline(self, pipe: n.PipeNode, context: str) -> None:
        if not pipe.cmds:
            raise self.errorf(f"missing value for {context}")
        for stage, cmd in enumerate(pipe.cmds[1:], start=2):
            if isinstance(cmd.args[0], (n.BoolNode, n.DotNode, n.NilNode, n.NumberNode,
                                        n.StringNode)):
                raise self.errorf(f"non executable command in pipeline stage {stage}")

    def command(self) -> n.CommandNode:
        cmd = n.CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.kind == lx.SPACE:
                continue
            if tok.kind == lx.ERROR:
                raise self.errorf(tok.val)
            if tok.kind in (lx.RIGHT, lx.RPAREN):
                self.i -= 1
            elif tok.kind != lx.PIPE:
                raise self.errorf(f"unexpected {_token_str(tok)} in operand")
            break
        if not cmd.args:
            raise self.errorf("empty command")
        return cmd

    def operand(self) -> n.Node | None:
        node = self.term()
        if node is None or self.peek().kind != lx.FIELD:
            return node
        pos = self.peek().pos
        fields = []
        while self.peek().kind == lx.FIELD:
            fields.append(self.next().val[1:])
        if isinstance(node, n.FieldNode):
            return n.FieldNode(node.pos, node.idents + fields)
        if isinstance(node, n.VariableNode):
            return n.VariableNode(node.pos, node.idents + fields)
        if isinstance(node, (n.BoolNode, n.StringNode, n.NumberNode, n.NilNode, n.DotNode)):
            raise self.errorf(f'unexpected . after term "{node}"')
        return n.ChainNode(pos, node, fields)

    def term(self) -> n.Node | None:
        tok = self.next_non_space()
        kind = tok.kind
        if kind == lx.ERROR:
            raise self.errorf(tok.val)
        if kind == lx.IDENT:
            if tok.val not in self.funcs:
                raise self.errorf(f'function "{tok.val}" not defined')
            return n.IdentifierNode(tok.pos, tok.val)
        if kind == lx.DOT:
            return n.DotNode(tok.pos)
        if kind == lx.NIL:
            return n.NilNode(tok.pos)
        if kind == lx.VARIABLE:
            self._use_var(tok.pos, tok.val)
            return n.VariableNode(tok.pos, [tok.val])
        if kind == lx.FIELD:
            return n.FieldNode(tok.pos, [tok.val[1:]])
        if kind == lx.BOOL:
            return n.BoolNode(tok.pos, tok.val == "true")
        if kind in (lx.NUMBER, lx.CHAR_CONST):
            return self._number(tok)
        if kind == lx.LPAREN:
            return self._parenthesized()
        if kind in (lx.STRING, lx.RAW):
            return n.StringNode(tok.pos, tok.val, self._unquote(tok))
        self.i -= 1
        return None

    def _number(self, tok: Token) -> n.Node:
        try:
            return n.NumberNode(tok.pos, parse_number(tok.val))
        except LiteralError as err:
            raise self.errorf(str(err)) from None

    def _parenthesized(self) -> n.Node:
        pipe = self.pipeline("parenthesized pipeline", lx.RPAREN)
        tok = self.next()
        if tok.kind != lx.RPAREN:
            raise self.errorf(f"unclosed right paren: unexpected {_token_str(tok)}")
        return pipe

    def _use_var(self, pos: int, name: str) -> None:
        if name not in self.vars:
            raise self.errorf(f'undefined variable "{name}"')


def _is_empty(node: n.Node) -> bool:
    if isinstance(node, n.ListNode):
        return all(_is_empty(child) for child in node.nodes)
    if isinstance(node, n.TextNode):
        return not node.text.strip()
    return False


def _token_str(tok: Token) -> str:
    """Go's item.String(): EOF, the error text, <keyword>, or a quoted value."""
    if tok.kind == lx.EOF:
        return "EOF"
    if tok.kind == lx.ERROR:
        return tok.val
    if tok.kind in lx.KEYWORDS:
        return f"<{tok.val}>"
    quoted = '"' + tok.val.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return quoted if len(tok.val) <= 10 else quoted[:11] + '"...'
