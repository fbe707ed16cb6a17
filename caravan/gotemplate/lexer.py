"""Splits template text into Go text/template's tokens.

Text runs until the left delimiter; inside an action come spaces, words, literals
and punctuation until the right delimiter. `{{- ` and ` -}}` (the dash beside a
delimiter, whitespace on its other side) trim the whitespace of the neighbouring
text. `{{/* ... */}}` is a comment. A lexing problem becomes an ERROR token whose
text is Go's message; the parser reports it with the line.
"""

from __future__ import annotations

import re
from typing import NamedTuple

TEXT, LEFT, RIGHT, SPACE, ERROR, EOF = "text", "{{", "}}", "space", "error", "EOF"
FIELD, VARIABLE, IDENT, DOT, NUMBER, STRING, RAW, CHAR_CONST = (
    "field", "variable", "identifier", ".", "number", "string", "raw string", "character")
BOOL, NIL, PIPE, LPAREN, RPAREN, DECLARE, ASSIGN, CHAR = (
    "bool", "nil", "|", "(", ")", ":=", "=", "char")
KEYWORDS = frozenset({"block", "break", "continue", "define", "else", "end", "if", "range",
                      "template", "with"})

_SPACE_CHARS = " \t\r\n"
_SPACE_SET = frozenset(_SPACE_CHARS)
_SPACE = re.compile(r"[ \t\r\n]+")
_WORD = re.compile(r"[\w]*", re.UNICODE)
_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?"
                     r"|0[oO][0-7_]*|0[bB][01_]*"
                     r"|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)i?")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_CHAR_CONST = re.compile(r"'(?:[^'\\\n]|\\.)*'")


class Token(NamedTuple):
    kind: str
    val: str
    pos: int
    line: int


class Lexer:
    """One pass over the text; `tokens()` returns the whole list, ending in EOF or ERROR."""

    def __init__(self, text: str, left: str = "{{", right: str = "}}") -> None:
        self.text = text
        self.left = left or "{{"
        self.right = right or "}}"
        self.out: list[Token] = []
        self.pos = 0
        self.line = 1

    def tokens(self) -> list[Token]:
        try:
            self._lex_text()
        except _Stop:
            pass
        return self.out

    def _emit(self, kind: str, end: int) -> None:
        val = self.text[self.pos:end]
        self.out.append(Token(kind, val, self.pos, self.line))
        self.line += val.count("\n")
        self.pos = end

    def _skip(self, end: int) -> None:
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end

    def _fail(self, message: str) -> None:
        self.out.append(Token(ERROR, message, self.pos, self.line))
        raise _Stop

    def _lex_text(self) -> None:
        text = self.text
        while True:
            start = text.find(self.left, self.pos)
            if start < 0:
                if self.pos < len(text):
                    self._emit(TEXT, len(text))
                self.out.append(Token(EOF, "", self.pos, self.line))
                return
            after = start + len(self.left)
            trim = text.startswith("-", after) and text[after + 1:after + 2] in _SPACE_SET
            end = start
            if trim:
                end = len(text[self.pos:start].rstrip(_SPACE_CHARS)) + self.pos
            if end > self.pos:
                self._emit(TEXT, end)
            self._skip(start)
            self._lex_left(after + (2 if trim else 0))

    def _lex_left(self, inside: int) -> None:
        if self.text.startswith("/*", inside):
            self._lex_comment(inside)
            return
        self._emit(LEFT, self.pos + len(self.left))
        self._skip(inside)
        self._lex_action()

    def _lex_comment(self, inside: int) -> None:
        close = self.text.find("*/", inside + 2)
        if close < 0:
            self._fail("unclosed comment")
        self._skip(close + 2)
        at_right, trim = self._at_right()
        if not at_right:
            self._fail("comment ends before closing delimiter")
        self._finish_right(trim, emit=False)

    def _at_right(self) -> tuple[bool, bool]:
        text, pos = self.text, self.pos
        if text[pos:pos + 1] in _SPACE_SET and text.startswith("-" + self.right, pos + 1):
            return True, True
        return text.startswith(self.right, pos), False

    def _finish_right(self, trim: bool, emit: bool = True) -> None:
        if trim:
            self._skip(self.pos + 2)
        if emit:
            self._emit(RIGHT, self.pos + len(self.right))
        else:
            self._skip(self.pos + len(self.right))
        if trim:
            rest = _SPACE.match(self.text, self.pos)
            if rest:
                self._skip(rest.end())

    def _lex_action(self) -> None:
        depth = 0
        while True:
            at_right, trim = self._at_right()
            if at_right and depth == 0:
                self._finish_right(trim)
                return
            if at_right:
                self._fail("unclosed left paren")
            if self.pos >= len(self.text):
                self._fail("unclosed action")
            depth = self._lex_one(self.text[self.pos], depth)

    def _lex_one(self, ch: str, depth: int) -> int:
        if ch in _SPACE_SET:
            match = _SPACE.match(self.text, self.pos)
            assert match
            end = match.end()
            # The space just before a right trim marker belongs to the delimiter.
            if self.text.startswith("-" + self.right, end):
                end -= 1
            self._emit(SPACE, end)
        elif ch == "(":
            self._emit(LPAREN, self.pos + 1)
            return depth + 1
        elif ch == ")":
            if depth == 0:
                self._fail("unexpected right paren")
            self._emit(RPAREN, self.pos + 1)
            return depth - 1
        else:
            self._lex_word_or_punct(ch)
        return depth

    def _lex_word_or_punct(self, ch: str) -> None:
        text, pos = self.text, self.pos
        if ch == "=":
            self._emit(ASSIGN, pos + 1)
        elif ch == ":":
            if not text.startswith(":=", pos):
                self._fail("expected :=")
            self._emit(DECLARE, pos + 2)
        elif ch == "|":
            self._emit(PIPE, pos + 1)
        elif ch == '"':
            self._lex_quoted(_STRING, STRING, "unterminated quoted string")
        elif ch == "`":
            close = text.find("`", pos + 1)
            if close < 0:
                self._fail("unterminated raw quoted string")
            self._emit(RAW, close + 1)
        elif ch == "'":
            self._lex_quoted(_CHAR_CONST, CHAR_CONST, "unterminated character constant")
        elif ch == "$":
            self._lex_name(VARIABLE, pos + 1)
        elif ch == "." and text[pos + 1:pos + 2].isdigit():
            self._lex_number()
        elif ch == ".":
            self._lex_name(FIELD, pos + 1) if _is_alnum(text[pos + 1:pos + 2]) else self._emit(DOT, pos + 1)
        elif ch in "+-" or ch.isdigit():
            self._lex_number()
        elif _is_alnum(ch):
            self._lex_identifier()
        elif ch.isascii() and ch.isprintable():
            self._emit(CHAR, pos + 1)
        else:
            self._fail(f"unrecognized character in action: {_rune(ch)}")

    def _lex_quoted(self, pattern: re.Pattern[str], kind: str, message: str) -> None:
        match = pattern.match(self.text, self.pos)
        if not match:
            self._fail(message)
        assert match
        self._emit(kind, match.end())

    def _lex_name(self, kind: str, start: int) -> None:
        match = _WORD.match(self.text, start)
        assert match
        self._check_terminator(match.end())
        self._emit(kind, match.end())

    def _lex_identifier(self) -> None:
        match = _WORD.match(self.text, self.pos)
        assert match
        word = match.group()
        self._check_terminator(match.end())
        if word in KEYWORDS:
            kind = word
        elif word in ("true", "false"):
            kind = BOOL
        elif word == "nil":
            kind = NIL
        else:
            kind = IDENT
        self._emit(kind, match.end())

    def _lex_number(self) -> None:
        match = _NUMBER.match(self.text, self.pos)
        assert match
        end = match.end()
        if end == self.pos or _is_alnum(self.text[end:end + 1]) or match.group() in ("+", "-"):
            stop = end + len(_WORD.match(self.text, end).group())  # type: ignore[union-attr]
            self._fail(f'bad number syntax: "{self.text[self.pos:max(stop, end + 1)]}"')
        self._emit(NUMBER, end)

    def _check_terminator(self, end: int) -> None:
        nxt = self.text[end:end + 1]
        if not nxt or nxt in _SPACE_CHARS or nxt in ".,|:)(" or self.text.startswith(self.right[0], end):
            return
        self._fail(f"bad character {_rune(nxt)}")


class _Stop(Exception):
    """Ends lexing after an ERROR token."""


def _is_alnum(ch: str) -> bool:
    return bool(ch) and (ch == "_" or ch.isalnum())


def _rune(ch: str) -> str:
    """Go's %#U: U+0023 '#'."""
    return f"U+{ord(ch):04X} '{ch}'" if ch.isprintable() else f"U+{ord(ch):04X}"
