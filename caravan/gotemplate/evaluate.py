"""Evaluating pipelines: commands, fields, variables, function calls and their arguments.

The base of the Executor: it holds the variable stack and the node being evaluated
(for error positions) and follows Go's exec.go step by step, so error messages and
the order in which arguments are evaluated match Go's.
"""

from __future__ import annotations

from collections.abc import Mapping

from caravan.gotemplate import nodes as n
from caravan.gotemplate.calls import ANY, GoFunc, literal_value, type_error
from caravan.gotemplate.errors import FuncError, TemplateExecError
from caravan.gotemplate.fmtvalue import type_name
from caravan.gotemplate.values import attribute, is_true

NO_FINAL = object()  # "no value piped in", distinct from a piped None
# Errors a function may raise to fail its call, like a Go function returning an error
# or panicking; anything else is a bug and propagates.
CALL_ERRORS = (FuncError, ValueError, ArithmeticError, LookupError)


class Evaluator:
    def __init__(self, funcs: Mapping[str, GoFunc], parse_name: str, text: str,
                 missing_error: bool) -> None:
        self.funcs = funcs
        self.parse_name = parse_name
        self.text = text
        self.missing_error = missing_error
        self.vars: list[list[object]] = []
        self.node: n.Node | None = None
        self.name = parse_name

    def errorf(self, message: str) -> TemplateExecError:
        node = self.node
        pos = node.pos if node is not None else 0
        before = self.text[:pos]
        line_start = before.rfind("\n") + 1
        column = len(before[line_start:].encode())
        context = str(node) if node is not None else ""
        return TemplateExecError(self.parse_name, before.count("\n") + 1, column, self.name,
                                 context, message)


    def eval_pipeline(self, dot: object, pipe: n.PipeNode) -> object:
        self.node = pipe
        value: object = NO_FINAL
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
        if len(args) > 1 or final is not NO_FINAL:
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
            receiver = self.eval_field(ident, node, None, NO_FINAL, receiver)
        return self.eval_field(idents[-1], node, args, final, receiver)

    def eval_field(self, name: str, node: n.Node, args: list[n.Node] | None, final: object,
                   receiver: object) -> object:
        has_args = (args is not None and len(args) > 1) or final is not NO_FINAL
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
        count = len(args) + (final is not NO_FINAL)
        if func.variadic is not None and count < len(func.params):
            raise self.errorf(f"wrong number of args for {name}: want at least "
                              f"{len(func.params)} got {len(args)}")
        if func.variadic is None and count != len(func.params):
            raise self.errorf(f"wrong number of args for {name}: want {len(func.params)} "
                              f"got {count}")
        if name in ("and", "or"):
            return self._and_or(dot, name == "or", args, final)
        argv = [self.eval_arg(dot, func.param_type(i), arg) for i, arg in enumerate(args)]
        if final is not NO_FINAL:
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
        return value if final is NO_FINAL else final

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
            return self.validate(self.eval_fields(dot, dot, node, node.idents, [node], NO_FINAL), ptype)
        if isinstance(node, n.VariableNode):
            return self.validate(self.eval_variable(dot, node, None, NO_FINAL), ptype)
        if isinstance(node, n.PipeNode):
            return self.validate(self.eval_pipeline(dot, node), ptype)
        if isinstance(node, n.IdentifierNode):
            return self.validate(self.eval_function(dot, node, node, None, NO_FINAL), ptype)
        if isinstance(node, n.ChainNode):
            return self.validate(self.eval_chain(dot, node, None, NO_FINAL), ptype)
        value, problem = literal_value(ptype, node)
        if problem is not None:
            raise self.errorf(problem)
        return value


def _message(err: Exception) -> str:
    if isinstance(err, ZeroDivisionError):
        return "runtime error: integer divide by zero"
    return str(err) if not isinstance(err, KeyError) else str(err.args[0] if err.args else err)
