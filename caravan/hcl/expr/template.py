"""HCL templates: literal text with `${expr}` interpolations and `%{if}`/`%{for}`
directives, `~` strip markers and the `$${`/`%%{` escapes.

A template is read either raw (a whole attribute value as python-hcl2 hands it over,
backslash escapes already applied) or quoted (a `"..."` inside an expression, ended by
`"`, with HCL's backslash escapes).
"""

from __future__ import annotations

from caravan.hcl.expr.nodes import Literal, Node, Template, TemplateFor, TemplateIf
from caravan.hcl.expr.reader import Reader

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class TemplateParser(Reader):
    """Template reading; `expression()` is the expression parser's (parser.py)."""

    def expression(self) -> Node:
        raise NotImplementedError

    def template(self, quoted: bool) -> Template:
        parts, end = self._parts(quoted, ())
        if end is not None:
            raise self.fail(f'"%{{{end}}}" without its opening directive')
        single = len(parts) == 1 and not isinstance(parts[0], (Literal, TemplateIf, TemplateFor))
        return Template(tuple(parts), single=single)

    def _parts(self, quoted: bool, stops: tuple[str, ...]) -> tuple[list[Node], str | None]:
        self.enter()
        parts: list[Node] = []
        buffer: list[str] = []
        while True:
            if self.pos >= len(self.text):
                if quoted:
                    raise self.fail("unterminated string: a closing quote is missing")
                break
            text = self.text
            c = text[self.pos]
            if quoted and c == '"':
                self.pos += 1
                break
            if quoted and c == "\\":
                buffer.append(self._escape())
            elif text.startswith(("$${", "%%{"), self.pos):
                buffer.append(text[self.pos + 1:self.pos + 3])
                self.pos += 3
            elif text.startswith("${", self.pos):
                self._flush(parts, buffer, text.startswith("${~", self.pos))
                node = self._interpolation()
                # An interpolated literal stays apart from literal text (see `single`).
                parts.append(Template((node,), single=True) if isinstance(node, Literal)
                             else node)
            elif text.startswith("%{", self.pos):
                self._flush(parts, buffer, text.startswith("%{~", self.pos))
                word = self._directive_word()
                if word in stops:
                    self.leave()
                    return parts, word
                parts.append(self._directive(word, quoted))
            else:
                buffer.append(c)
                self.pos += 1
        self._flush(parts, buffer, False)
        self.leave()
        if stops:
            raise self.fail(f'a "%{{{stops[-1]}}}" directive is missing')
        return parts, None

    def _flush(self, parts: list[Node], buffer: list[str], strip: bool) -> None:
        text = "".join(buffer)
        buffer.clear()
        if strip:
            text = text.rstrip()
        if text:
            parts.append(Literal(text))

    def _escape(self) -> str:
        code = self.text[self.pos + 1:self.pos + 2]
        if code in _ESCAPES:
            self.pos += 2
            return _ESCAPES[code]
        width = {"u": 4, "U": 8}.get(code)
        digits = self.text[self.pos + 2:self.pos + 2 + width] if width else ""
        if width and len(digits) == width and all(d in "0123456789abcdefABCDEF"
                                                   for d in digits):
            self.pos += 2 + width
            try:
                return chr(int(digits, 16))
            except ValueError:
                raise self.fail("invalid unicode escape") from None
        raise self.fail("invalid escape sequence in a string")

    def _interpolation(self) -> Node:
        self.pos += 2
        self.accept("~")
        node = self.expression()
        self._close()
        return node

    def _close(self) -> None:
        """`~}` or `}`; `~` strips the whitespace that follows."""
        strip = self.accept("~")
        self.expect("}")
        if strip:
            while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
                self.pos += 1

    def _directive_word(self) -> str:
        self.pos += 2
        self.accept("~")
        word = self.ident()
        if word not in ("if", "else", "endif", "for", "endfor"):
            raise self.fail("a template directive is if, else, endif, for or endfor")
        return word

    def _directive(self, word: str, quoted: bool) -> Node:
        if word == "if":
            cond = self.expression()
            self._close()
            then, end = self._parts(quoted, ("else", "endif"))
            otherwise: list[Node] = []
            if end == "else":
                self._close()
                otherwise, _ = self._parts(quoted, ("endif",))
            self._close()
            return TemplateIf(cond, Template(tuple(then)), Template(tuple(otherwise)))
        if word == "for":
            key, value = self._for_names()
            self._expect_keyword("in")
            collection = self.expression()
            self._close()
            body, _ = self._parts(quoted, ("endfor",))
            self._close()
            return TemplateFor(key, value, collection, Template(tuple(body)))
        raise self.fail(f'"%{{{word}}}" without its opening directive')

    def _for_names(self) -> tuple[str | None, str]:
        first = self.ident()
        if first is None:
            raise self.fail("expected a name after for")
        if self.accept(","):
            second = self.ident()
            if second is None:
                raise self.fail("expected a second name after ,")
            return first, second
        return None, first

    def _expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            raise self.fail(f'expected "{word}"')
