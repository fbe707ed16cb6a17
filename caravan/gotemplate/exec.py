"""Executes parse trees over Python data, with Go's evaluation rules.

One `Executor` per render: it owns the variable stack, the output buffer and the
node it is at (for error positions). Not thread-safe; a Template makes a new one for
every execute(), so one Template may render concurrently.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping

from caravan.gotemplate import nodes as n
from caravan.gotemplate.calls import ANY, GoFunc, literal_value, type_error
from caravan.gotemplate.errors import FuncError, TemplateExecError
from caravan.gotemplate.fmtvalue import SLICES, format_v, sorted_items, type_name
from caravan.gotemplate.values import attribute, is_true

MAX_DEPTH = 100
_NO_FINAL = object()
# Errors a function may raise to fail its call, like a Go function returning an error
# or panicking; anything else is a bug and propagates.
CALL_ERRORS = (FuncError, ValueError, ArithmeticError, LookupError)


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Executor:
    def __init__(self, trees: Mapping[str, n.ListNode], funcs: Mapping[str, GoFunc],
                 parse_name: str, text: str, missing_error: bool) -> None:
        self.trees = trees
        self.funcs = funcs
        self.parse_name = parse_name
        self.text = text
        self.missing_error = missing_error
        self.out: list[str] = []
        self.vars: list[list[object]] = []
        self.node: n.Node | None = None
        self.name = parse_name
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

    def errorf(self, message: str) -> TemplateExecError:
        node = self.node
        pos = node.pos if node is not None else 0
        before = self.text[:pos]
        line_start = before.rfind("\n") + 1
        column = len(before[line_start:].encode())
        context = str(node) if node is not None else ""
        return TemplateExecError(self.parse_name, before.count("\n") + 1, column, self.name,
                                 context, message)

    # -- walking

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

    # -- evaluation

    def eval_pipeline(self, dot: object, pipe: n.PipeNode) -> object:
        self.node = pipe
        value: object = _NO_FINAL
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for var in pipe.decl:
            if pipe.is_assign:
                self._set_var(var.idents[0], value)
            else:
                self.vars.append([var.idents[0], value])
        return value

    def _set_var(self, name: str, value: object) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        raise self.errorf(f"undefined variable: {name}")

    def var_value(self, name: str) -> object:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        raise self.errorf(f"undefined variable: {name}")

    def eval_command(self, dot: object, cmd: n.CommandNode, final: object) -> object:
        first = cmd.args[0]
        if isinstance(first, n.FieldNode):
            self.node = first
            return self.eval_fields(dot, dot, first, first.idents, cmd.args, final)
        if isinstance(first, n.VariableNode):
            return self.eval_variable(dot, first, cmd.args, final)
        if isinstance(first, n.IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, n.ChainNode):
            return self.eval_chain(dot, first, cmd.args, final)
        if isinstance(first, n.PipeNode):
            self._not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        self.node = first
        self._not_a_function(cmd.args, final)
        return self.constant(first, dot)

    def constant(self, node: n.Node, dot: object) -> object:
        if isinstance(node, n.BoolNode):
            return node.value
        if isinstance(node, n.DotNode):
            return dot
        if isinstance(node, n.StringNode):
            return node.text
        if isinstance(node, n.NumberNode):
            value, _ = literal_value(ANY, node)
            return value
        if isinstance(node, n.NilNode):
            raise self.errorf("nil is not a command")
        raise self.errorf(f'can\'t evaluate command "{node}"')

    def _not_a_function(self, args: list[n.Node], final: object) -> None:
        if len(args) > 1 or final is not _NO_FINAL:
            raise self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_variable(self, dot: object, node: n.VariableNode, args: list[n.Node] | None,
                      final: object) -> object:
        self.node = node
        value = self.var_value(node.idents[0])
        if len(node.idents) == 1:
            if args is not None:
                self._not_a_function(args, final)
            return value
        return self.eval_fields(dot, value, node, node.idents[1:], args, final)

    def eval_chain(self, dot: object, node: n.ChainNode, args: list[n.Node] | None,
                   final: object) -> object:
        self.node = node
        if isinstance(node.node, n.NilNode):
            raise self.errorf(f"indirection through explicit nil in {node}")
        receiver = self.eval_arg(dot, ANY, node.node)
        return self.eval_fields(dot, receiver, node, node.fields, args, final)

    def eval_fields(self, dot: object, receiver: object, node: n.Node, idents: list[str],
                    args: list[n.Node] | None, final: object) -> object:
        for ident in idents[:-1]:
            receiver = self.eval_field(ident, node, None, _NO_FINAL, receiver)
        return self.eval_field(idents[-1], node, args, final, receiver)

    def eval_field(self, name: str, node: n.Node, args: list[n.Node] | None, final: object,
                   receiver: object) -> object:
        has_args = (args is not None and len(args) > 1) or final is not _NO_FINAL
        if receiver is None:
            if self.missing_error:
                raise self.errorf(f'nil data; no entry for key "{name}"')
            return None
        if isinstance(receiver, Mapping):
            if has_args:
                raise self.errorf(f"{name} is not a method but has arguments")
            if name in receiver:
                return receiver[name]
            if self.missing_error:
                raise self.errorf(f'map has no entry for key "{name}"')
            return None
        found, value = attribute(receiver, name)
        if not found:
            raise self.errorf(f"can't evaluate field {name} in type {type_name(receiver)}")
        if has_args:
            raise self.errorf(f"{name} has arguments but cannot be invoked as function")
        return value

    def eval_function(self, dot: object, node: n.IdentifierNode, cmd: n.Node,
                      args: list[n.Node] | None, final: object) -> object:
        self.node = node
        func = self.funcs.get(node.name)
        if func is None:
            raise self.errorf(f'"{node.name}" is not a defined function')
        return self.eval_call(dot, func, cmd, node.name, args[1:] if args else [], final)

    def eval_call(self, dot: object, func: GoFunc, node: n.Node, name: str,
                  args: list[n.Node], final: object) -> object:
        count = len(args) + (final is not _NO_FINAL)
        if func.variadic is not None and count < len(func.params):
            raise self.errorf(f"wrong number of args for {name}: want at least "
                              f"{len(func.params)} got {len(args)}")
        if func.variadic is None and count != len(func.params):
            raise self.errorf(f"wrong number of args for {name}: want {len(func.params)} "
                              f"got {count}")
        if name in ("and", "or"):
            return self._and_or(dot, name == "or", args, final)
        argv = [self.eval_arg(dot, func.param_type(i), arg) for i, arg in enumerate(args)]
        if final is not _NO_FINAL:
            argv.append(self.validate(final, func.param_type(len(argv))))
        try:
            return func.call(*argv)
        except CALL_ERRORS as err:
            self.node = node
            raise self.errorf(f"error calling {name}: {_message(err)}") from None

    def _and_or(self, dot: object, is_or: bool, args: list[n.Node], final: object) -> object:
        value: object = None
        for arg in args:
            value = self.eval_arg(dot, ANY, arg)
            if is_true(value) == is_or:
                return value
        return value if final is _NO_FINAL else final

    def validate(self, value: object, ptype: str) -> object:
        problem = type_error(ptype, value)
        if problem is not None:
            raise self.errorf(problem)
        return value

    def eval_arg(self, dot: object, ptype: str, node: n.Node) -> object:
        self.node = node
        if isinstance(node, n.DotNode):
            return self.validate(dot, ptype)
        if isinstance(node, n.NilNode):
            if ptype in (ANY, "slice", "map"):
                return None
            raise self.errorf(f"cannot assign nil to {ptype}")
        if isinstance(node, n.FieldNode):
            return self.validate(self.eval_fields(dot, dot, node, node.idents, [node], _NO_FINAL), ptype)
        if isinstance(node, n.VariableNode):
            return self.validate(self.eval_variable(dot, node, None, _NO_FINAL), ptype)
        if isinstance(node, n.PipeNode):
            return self.validate(self.eval_pipeline(dot, node), ptype)
        if isinstance(node, n.IdentifierNode):
            return self.validate(self.eval_function(dot, node, node, None, _NO_FINAL), ptype)
        if isinstance(node, n.ChainNode):
            return self.validate(self.eval_chain(dot, node, None, _NO_FINAL), ptype)
        value, problem = literal_value(ptype, node)
        if problem is not None:
            raise self.errorf(problem)
        return value


def _message(err: Exception) -> str:
    if isinstance(err, ZeroDivisionError):
        return "runtime error: integer divide by zero"
    return str(err) if not isinstance(err, KeyError) else str(err.args[0] if err.args else err)
