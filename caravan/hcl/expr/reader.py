"""The character scanner under both parsers: position, whitespace and comments,
identifiers, numbers, and errors that say where (column) and what was found."""

from __future__ import annotations

import re

from caravan.hcl.expr.nodes import ExprError

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# Nesting deeper than this is refused before Python's own recursion limit is reached.
MAX_DEPTH = 200


class Reader:
    """A cursor over one expression's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def fail(self, message: str) -> ExprError:
        found = self.text[self.pos:self.pos + 12]
        where = f'at "{found}"' if found else "at the end"
        return ExprError(f"{message} (column {self.pos + 1}, {where})")

    def skip_space(self, newlines: bool = True) -> None:
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c in " \t\r" or (newlines and c == "\n"):
                self.pos += 1
            elif self.text.startswith(("#", "//"), self.pos):
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif self.text.startswith("/*", self.pos):
                end = self.text.find("*/", self.pos + 2)
                self.pos = len(self.text) if end < 0 else end + 2
            else:
                return

    def peek(self, token: str) -> bool:
        self.skip_space()
        return self.text.startswith(token, self.pos)

    def accept(self, token: str) -> bool:
        if self.peek(token):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str) -> None:
        if not self.accept(token):
            raise self.fail(f'expected "{token}"')

    def ident(self) -> str | None:
        self.skip_space()
        match = _IDENT.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group(0)

    def peek_ident(self) -> str | None:
        self.skip_space()
        match = _IDENT.match(self.text, self.pos)
        return None if match is None else match.group(0)

    def keyword(self, word: str) -> bool:
        """`word` as a whole identifier (so `format` is not `for`)."""
        if self.peek_ident() == word:
            self.pos += len(word)
            return True
        return False

    def number(self) -> int | float | None:
        self.skip_space()
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        text = match.group(0)
        if match.group(1) or match.group(2):
            value = float(text)
            return int(value) if value.is_integer() and abs(value) < 2**53 else value
        return int(text)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("expression nested too deeply")

    def leave(self) -> None:
        self.depth -= 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)
