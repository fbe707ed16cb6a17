"""Evaluates expression and template nodes in a Scope.

A root name the scope does not hold is either kept as written (`${attr.kernel.name}`:
Nomad leaves such references for the client to interpolate at run time) or an error
(var files and `-var` values may refer to nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from caravan.hcl.expr import ops
from caravan.hcl.expr.nodes import (
    Binary,
    Call,
    Conditional,
    ExprError,
    For,
    Literal,
    Node,
    Object,
    Postfix,
    Splat,
    Step,
    Template,
    TemplateFor,
    TemplateIf,
    Traversal,
    Tuple,
    Unary,
)
from caravan.hcl.expr.values import Value, as_bool, as_string, type_name

Function = Callable[[list[Value]], Value]
# Steps one job file's evaluation may take: nested `for` expressions over large ranges
# must not hold a server thread (/v1/jobs/parse) for hours.
MAX_STEPS = 1_000_000


@dataclass
class Budget:
    """The evaluation steps left, shared by every scope derived from one."""

    left: int = MAX_STEPS

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise ExprError(f"evaluation takes more than {MAX_STEPS} steps; simplify the "
                            "expressions (large nested for expressions or ranges?)")


@dataclass(frozen=True)
class Scope:
    variables: Mapping[str, Value] = field(default_factory=dict)
    functions: Mapping[str, Function] = field(default_factory=dict)
    keep_unknown: bool = False
    budget: Budget = field(default_factory=Budget)

    def with_names(self, names: dict[str, Value]) -> Scope:
        return Scope({**self.variables, **names}, self.functions, self.keep_unknown,
                     self.budget)


def evaluate(node: Node, scope: Scope) -> Value:
    """The value of `node`; an ExprError says why there is none."""
    try:
        return _eval(node, scope)
    except RecursionError:
        raise ExprError("expression nested too deeply") from None


def _eval(node: Node, scope: Scope) -> Value:
    scope.budget.spend()
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise ExprError(f"cannot evaluate {type(node).__name__}")
    return handler(node, scope)


def _literal(node: Literal, scope: Scope) -> Value:
    return node.value


def _traversal(node: Traversal, scope: Scope) -> Value:
    if node.root not in scope.variables:
        if scope.keep_unknown:
            return "${" + node.text + "}"
        if not scope.variables:
            raise ExprError(f'variables are not allowed here (found "{node.text}")')
        raise ExprError(f'unknown variable "{node.root}": only var.<name> and '
                        f"local.<name> are known here")
    value = scope.variables[node.root]
    return _steps(value, node.steps, scope, node.root)


def _steps(value: Value, steps: tuple[Step, ...], scope: Scope, where: str) -> Value:
    for step in steps:
        if step.attr is not None:
            value, where = _attr(value, step.attr, where), f"{where}.{step.attr}"
        else:
            assert step.index is not None
            key = _eval(step.index, scope)
            value, where = _index(value, key, where), f"{where}[...]"
    return value


def _attr(value: Value, name: str, where: str) -> Value:
    if isinstance(value, dict):
        if name not in value:
            raise ExprError(f'unsupported attribute: {where} has no attribute "{name}"')
        return value[name]
    if isinstance(value, list) and name.isdigit():
        return _index(value, int(name), where)
    raise ExprError(f'unsupported attribute "{name}": {where} is a {type_name(value)}, '
                    "not an object")


def _index(value: Value, key: Value, where: str) -> Value:
    if isinstance(value, list):
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        if isinstance(key, bool) or not isinstance(key, (int, float)) or key != int(key):
            raise ExprError(f"invalid index: {where} is a list; its index must be a whole "
                            f"number, got {type_name(key)}")
        if not 0 <= int(key) < len(value):
            raise ExprError(f"invalid index: {int(key)} is out of range for {where} "
                            f"({len(value)} elements)")
        return value[int(key)]
    if isinstance(value, dict):
        name = as_string(key, "index")
        if name not in value:
            raise ExprError(f'invalid index: {where} has no element "{name}"')
        return value[name]
    raise ExprError(f"invalid index: {where} is a {type_name(value)}, which cannot be "
                    "indexed")


def _postfix(node: Postfix, scope: Scope) -> Value:
    return _steps(_eval(node.target, scope), node.steps, scope, "the value")


def _splat(node: Splat, scope: Scope) -> Value:
    target = _eval(node.target, scope)
    if target is None:
        return []
    items = target if isinstance(target, list) else [target]
    return [_steps(item, node.steps, scope, "element") for item in items]


def _call(node: Call, scope: Scope) -> Value:
    if node.name in ("try", "can"):
        return _try(node, scope)
    function = scope.functions.get(node.name)
    if function is None:
        raise ExprError(f'call to unknown function: there is no function named "{node.name}"')
    args = [_eval(arg, scope) for arg in node.args]
    if node.expand_last:
        if not args or not isinstance(args[-1], list):
            raise ExprError(f"{node.name}: the argument before ... must be a list")
        args = [*args[:-1], *args[-1]]
    try:
        return function(args)
    except ExprError as e:
        raise ExprError(f"error in function call {node.name}(): {e.message}") from None


def _try(node: Call, scope: Scope) -> Value:
    """`try(a, b, ...)`: the first argument that evaluates; `can(x)`: whether x does."""
    if node.name == "can":
        if len(node.args) != 1:
            raise ExprError("can() takes exactly one argument")
        try:
            _eval(node.args[0], scope)
        except ExprError:
            return False
        return True
    errors = []
    for arg in node.args:
        try:
            return _eval(arg, scope)
        except ExprError as e:
            errors.append(e.message)
    raise ExprError("no argument of try() could be evaluated: " + "; ".join(errors))


def _tuple(node: Tuple, scope: Scope) -> Value:
    return [_eval(item, scope) for item in node.items]


def _object(node: Object, scope: Scope) -> Value:
    out: dict[str, Value] = {}
    for item in node.items:
        key = _eval(item.key, scope)
        if key is None:
            raise ExprError("an object key may not be null")
        out[as_string(key, "object key")] = _eval(item.value, scope)
    return out


def _unary(node: Unary, scope: Scope) -> Value:
    return ops.unary(node.op, _eval(node.operand, scope))


def _binary(node: Binary, scope: Scope) -> Value:
    return ops.binary(node.op, _eval(node.left, scope), _eval(node.right, scope))


def _conditional(node: Conditional, scope: Scope) -> Value:
    cond = as_bool(_eval(node.cond, scope), "condition")
    return _eval(node.true if cond else node.false, scope)


def _pairs(collection: Value) -> list[tuple[Value, Value]]:
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return sorted(collection.items())
    raise ExprError(f"a for expression needs a list, map or object, got "
                    f"{type_name(collection)}")


def _bound(node: For | TemplateFor, key: Value, value: Value, scope: Scope) -> Scope:
    names = {node.value_var: value}
    if node.key_var is not None:
        names[node.key_var] = key
    return scope.with_names(names)


def _for(node: For, scope: Scope) -> Value:
    pairs = _pairs(_eval(node.collection, scope))
    items: list[tuple[Value, Value]] = []
    for key, value in pairs:
        inner = _bound(node, key, value, scope)
        if node.cond is not None and not as_bool(_eval(node.cond, inner), "for condition"):
            continue
        k = _eval(node.key, inner) if node.key is not None else None
        items.append((k, _eval(node.value, inner)))
    if node.key is None:
        return [v for _, v in items]
    out: dict[str, Value] = {}
    for k, v in items:
        name = as_string(k, "for expression key")
        if node.group:
            out.setdefault(name, []).append(v)
        elif name in out:
            raise ExprError(f'duplicate object key "{name}" in a for expression '
                            "(add ... after the value to group them)")
        else:
            out[name] = v
    return out


def _template(node: Template, scope: Scope) -> Value:
    if node.single:
        return _eval(node.parts[0], scope)
    return "".join(_part(part, scope) for part in node.parts)


def _part(part: Node, scope: Scope) -> str:
    value = _eval(part, scope)
    if value is None:
        raise ExprError("invalid template interpolation value: the value is null")
    if isinstance(value, (list, dict)):
        raise ExprError("invalid template interpolation value: cannot include a "
                        f"{type_name(value)} in a string (a string is required)")
    return as_string(value)


def _template_if(node: TemplateIf, scope: Scope) -> Value:
    cond = as_bool(_eval(node.cond, scope), "%{if} condition")
    return _template(node.then if cond else node.otherwise, scope)


def _template_for(node: TemplateFor, scope: Scope) -> Value:
    return "".join(as_string(_template(node.body, _bound(node, k, v, scope)))
                   for k, v in _pairs(_eval(node.collection, scope)))


_HANDLERS: dict[type, Callable[..., Value]] = {
    Literal: _literal, Traversal: _traversal, Postfix: _postfix, Splat: _splat,
    Call: _call, Tuple: _tuple, Object: _object, Unary: _unary, Binary: _binary,
    Conditional: _conditional, For: _for, Template: _template, TemplateIf: _template_if,
    TemplateFor: _template_for,
}
