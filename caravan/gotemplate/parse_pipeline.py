"""Parsing inside an action: pipelines, declarations, commands, operands and terms."""

from __future__ import annotations

from collections.abc import Container

from caravan.gotemplate import lexer as lx
from caravan.gotemplate import nodes as n
from caravan.gotemplate.lexer import Token
from caravan.gotemplate.literals import LiteralError, parse_number, unquote
from caravan.gotemplate.parse_tokens import TokenReader, token_str

_OPERAND_START = frozenset({lx.BOOL, lx.CHAR_CONST, lx.DOT, lx.FIELD, lx.IDENT, lx.NUMBER,
                            lx.NIL, lx.RAW, lx.STRING, lx.VARIABLE, lx.LPAREN})


class PipelineParser(TokenReader):
    """Knows the functions (checked at parse time, as Go does) and the variables in scope."""

    def __init__(self, name: str, tokens: list[Token], funcs: Container[str]) -> None:
        super().__init__(name, tokens)
        self.funcs = funcs
        self.vars = ["$"]


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
                raise self.errorf(f"unexpected {token_str(tok)} in operand")
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
            raise self.errorf(f"unclosed right paren: unexpected {token_str(tok)}")
        return pipe

    def _use_var(self, pos: int, name: str) -> None:
        if name not in self.vars:
            raise self.errorf(f'undefined variable "{name}"')

    def _unquote(self, tok: Token) -> str:
        try:
            return unquote(tok.val)
        except LiteralError as err:
            raise self.errorf(str(err)) from None
