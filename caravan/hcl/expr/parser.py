"""HCL2 expression syntax -> nodes: operators by HCL's precedence, conditionals,
function calls (with `...` expansion), tuples, objects, `for` expressions,
traversals (`.a`, `[i]`, legacy `.0`) and splats (`[*]`, `.*`)."""

from __future__ import annotations

from caravan.hcl.expr.nodes import (
    Binary,
    Call,
    Conditional,
    ExprError,
    For,
    Literal,
    Node,
    Object,
    ObjectItem,
    Postfix,
    Splat,
    Step,
    Template,
    Traversal,
    Tuple,
    Unary,
)
from caravan.hcl.expr.template import TemplateParser

_PRECEDENCE = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
               "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
_OPERATORS = sorted(_PRECEDENCE, key=len, reverse=True)
_KEYWORDS = {"true": True, "false": False, "null": None}


def parse_expression(text: str) -> Node:
    """One whole expression; anything after it is an error."""
    parser = Parser(text)
    try:
        node = parser.expression()
    except RecursionError:
        raise ExprError("expression nested too deeply") from None
    if not parser.at_end():
        raise parser.fail("unexpected text after the expression")
    return node


def parse_template(text: str) -> Template:
    """A raw template: a whole string value with its `${...}` and `%{...}` parts."""
    try:
        return Parser(text).template(quoted=False)
    except RecursionError:
        raise ExprError("template nested too deeply") from None


class Parser(TemplateParser):
    def expression(self) -> Node:
        self.enter()
        node = self._binary(1)
        if self.accept("?"):
            true = self.expression()
            self.expect(":")
            node = Conditional(node, true, self.expression())
        self.leave()
        return node

    def _binary(self, lowest: int) -> Node:
        left = self._unary()
        while True:
            op = self._operator()
            if op is None or _PRECEDENCE[op] < lowest:
                return left
            self.pos += len(op)
            left = Binary(op, left, self._binary(_PRECEDENCE[op] + 1))

    def _operator(self) -> str | None:
        self.skip_space()
        for op in _OPERATORS:
            if self.text.startswith(op, self.pos):
                return op
        return None

    def _unary(self) -> Node:
        self.skip_space()
        if self.accept("-"):
            return Unary("-", self._unary())
        if self.peek("!") and not self.peek("!="):
            self.pos += 1
            return Unary("!", self._unary())
        return self._postfix(self._primary())

    def _primary(self) -> Node:
        self.enter()
        try:
            return self._primary_inner()
        finally:
            self.leave()

    def _primary_inner(self) -> Node:
        number = self.number()
        if number is not None:
            return Literal(number)
        if self.accept('"'):
            return self.template(quoted=True)
        if self.accept("("):
            node = self.expression()
            self.expect(")")
            return node
        if self.accept("["):
            return self._for(tuple_=True) if self._at_for() else self._tuple()
        if self.accept("{"):
            return self._for(tuple_=False) if self._at_for() else self._object()
        start = self.pos
        name = self.ident()
        if name is None:
            raise self.fail("expected an expression")
        if name in _KEYWORDS:
            return Literal(_KEYWORDS[name])
        if self.accept("("):
            return self._call(name)
        return Traversal(name, (), self.text[start:self.pos])

    def _postfix(self, node: Node) -> Node:
        while True:
            if self.accept("[*]") or self.accept(".*"):
                return Splat(node, tuple(self._splat_steps()))
            step = self._step()
            if step is None:
                return node
            if isinstance(node, Traversal) and _static(step):
                node = Traversal(node.root, (*node.steps, step), self._traversal_text(node))
            elif isinstance(node, Postfix):
                node = Postfix(node.target, (*node.steps, step))
            else:
                node = Postfix(node, (step,))

    def _traversal_text(self, node: Traversal) -> str:
        start = self.text.rfind(node.text, 0, self.pos)
        return self.text[start:self.pos] if start >= 0 else node.text

    def _splat_steps(self) -> list[Step]:
        steps = []
        while (step := self._step()) is not None:
            steps.append(step)
        return steps

    def _step(self) -> Step | None:
        if self.peek(".") and not self.peek(".*") and not self.peek("..."):
            self.pos += 1
            name = self.ident()
            if name is not None:
                return Step(attr=name)
            number = self.number()
            if isinstance(number, int):
                return Step(index=Literal(number))
            raise self.fail("expected an attribute name after .")
        if self.peek("[") and not self.peek("[*]"):
            self.pos += 1
            index = self.expression()
            self.expect("]")
            return Step(index=index)
        return None

    def _call(self, name: str) -> Node:
        args: list[Node] = []
        expand = False
        while not self.accept(")"):
            args.append(self.expression())
            if self.accept("..."):
                expand = True
                self.expect(")")
                break
            if not self.accept(","):
                self.expect(")")
                break
        return Call(name, tuple(args), expand)

    def _tuple(self) -> Node:
        items: list[Node] = []
        while not self.accept("]"):
            items.append(self.expression())
            if not self.accept(","):
                self.expect("]")
                break
        return Tuple(tuple(items))

    def _object(self) -> Node:
        items: list[ObjectItem] = []
        while not self.accept("}"):
            items.append(self._object_item())
            self.accept(",")
        return Object(tuple(items))

    def _object_item(self) -> ObjectItem:
        save = self.pos
        bare = self.ident()
        if bare is not None and self._at_assign():
            key: Node = Literal(bare)
        else:
            self.pos, bare = save, None
            key = self.expression()
        if not (self.accept(":") or self._accept_assign()):
            raise self.fail('expected "=" or ":" after an object key')
        return ObjectItem(key, self.expression(), bare)

    def _at_assign(self) -> bool:
        return self.peek(":") or (self.peek("=") and not self.peek("==")
                                  and not self.peek("=>"))

    def _accept_assign(self) -> bool:
        if self._at_assign() and self.peek("="):
            self.pos += 1
            return True
        return False

    def _at_for(self) -> bool:
        save = self.pos
        if self.keyword("for") and self.peek_ident() is not None:
            self.pos = save
            return True
        self.pos = save
        return False

    def _for(self, tuple_: bool) -> Node:
        self.keyword("for")
        key_var, value_var = self._for_names()
        self._expect_keyword("in")
        collection = self.expression()
        self.expect(":")
        key: Node | None = None
        value = self.expression()
        group = False
        if not tuple_:
            key = value
            self.expect("=>")
            value = self.expression()
            group = self.accept("...")
        cond = self.expression() if self.keyword("if") else None
        self.expect("]" if tuple_ else "}")
        return For(key_var, value_var, collection, value, key, cond, group)


def _static(step: Step) -> bool:
    if step.attr is not None:
        return True
    index = step.index
    if isinstance(index, Template):
        return all(isinstance(p, Literal) for p in index.parts)
    return isinstance(index, Literal)
