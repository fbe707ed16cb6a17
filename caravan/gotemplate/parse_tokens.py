"""Reading tokens for the parser: look-ahead, skipping spaces, and Go-worded errors."""

from __future__ import annotations

from caravan.gotemplate import lexer as lx
from caravan.gotemplate.errors import TemplateParseError
from caravan.gotemplate.lexer import Token


class TokenReader:
    """A cursor over the token list (which ends in EOF or ERROR) for one parse."""

    def __init__(self, name: str, tokens: list[Token]) -> None:
        self.name = name
        self.tokens = tokens
        self.last = len(tokens) - 1  # the EOF or ERROR token; reading past it repeats it
        self.i = 0
        self.seen = 0
        self.action_line = 0

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
        return self.errorf(f"unexpected {token_str(tok)} in {context}")

    def expect(self, kind: str, context: str) -> Token:
        tok = self.next_non_space()
        if tok.kind != kind:
            raise self.unexpected(tok, context)
        return tok


def token_str(tok: Token) -> str:
    """Go's item.String(): EOF, the error text, <keyword>, or a quoted value."""
    if tok.kind == lx.EOF:
        return "EOF"
    if tok.kind == lx.ERROR:
        return tok.val
    if tok.kind in lx.KEYWORDS:
        return f"<{tok.val}>"
    quoted = '"' + tok.val.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return quoted if len(tok.val) <= 10 else quoted[:11] + '"...'
