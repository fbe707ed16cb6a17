"""Type constraints of `variable` blocks (`string`, `list(number)`, `object({...})`,
`optional(...)`, `any`) and the conversion of a value to one, as HCL converts."""

from __future__ import annotations

from dataclasses import dataclass, field

from caravan.hcl.expr.nodes import Call, ExprError, Literal, Node, Object, Template, Traversal
from caravan.hcl.expr.parser import parse_expression
from caravan.hcl.expr.values import Value, as_bool, as_number, as_string, equal, type_name

_PRIMITIVES = ("string", "number", "bool", "any")
_COLLECTIONS = ("list", "set", "map")


@dataclass(frozen=True)
class Type:
    """`kind` is a primitive name, list/set/map (with `element`), tuple (`elements`) or
    object (`attrs`, some of them `optional` with `defaults`)."""

    kind: str
    element: Type | None = None
    elements: tuple[Type, ...] = ()
    attrs: dict[str, Type] = field(default_factory=dict)
    optional: frozenset[str] = frozenset()
    defaults: dict[str, Value] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.element is not None:
            return f"{self.kind}({self.element})"
        if self.kind == "tuple":
            return "tuple([" + ", ".join(str(e) for e in self.elements) + "])"
        if self.kind == "object":
            return "object({" + ", ".join(f"{k}={v}" for k, v in self.attrs.items()) + "})"
        return self.kind

    @property
    def simple(self) -> bool:
        """A value of this type is read from `-var`/`NOMAD_VAR_` as a plain string."""
        return self.kind in ("string", "number")


ANY = Type("any")


def parse_type(text: str) -> Type:
    """A type constraint as python-hcl2 renders one (`string`, `${list(string)}`)."""
    stripped = text.strip()
    if stripped.startswith("${") and stripped.endswith("}"):
        stripped = stripped[2:-1]
    return type_of(parse_expression(stripped))


def type_of(node: Node) -> Type:
    if isinstance(node, Template) and len(node.parts) == 1:
        part = node.parts[0]
        return parse_type(part.value) if isinstance(part, Literal) and isinstance(
            part.value, str) else type_of(part)
    if isinstance(node, Traversal) and not node.steps and node.root in _PRIMITIVES:
        return Type(node.root)
    if isinstance(node, Call):
        return _call_type(node)
    raise ExprError("a type constraint is string, number, bool, any, list(...), set(...), "
                    "map(...), tuple([...]) or object({...})")


def _call_type(node: Call) -> Type:
    if node.name in _COLLECTIONS and len(node.args) == 1:
        return Type(node.name, element=type_of(node.args[0]))
    if node.name == "tuple" and len(node.args) == 1 and hasattr(node.args[0], "items"):
        return Type("tuple", elements=tuple(type_of(n) for n in getattr(node.args[0],
                                                                           "items")))
    if node.name == "object" and len(node.args) == 1 and isinstance(node.args[0], Object):
        return _object_type(node.args[0])
    raise ExprError(f'invalid type constraint "{node.name}(...)"')


def _object_type(node: Object) -> Type:
    from caravan.hcl.expr.evaluate import Scope, evaluate

    attrs: dict[str, Type] = {}
    optional: set[str] = set()
    defaults: dict[str, Value] = {}
    for item in node.items:
        name = as_string(evaluate(item.key, Scope()), "attribute name")
        value = item.value
        if isinstance(value, Template) and len(value.parts) == 1 and value.single:
            value = value.parts[0]
        if isinstance(value, Call) and value.name == "optional" and value.args:
            optional.add(name)
            if len(value.args) > 1:
                defaults[name] = evaluate(value.args[1], Scope())
            value = value.args[0]
        attrs[name] = type_of(value)
    return Type("object", attrs=attrs, optional=frozenset(optional), defaults=defaults)


def convert(value: Value, want: Type) -> Value:
    """`value` as a `want`; ExprError says what does not fit (HCL's wording)."""
    if value is None or want.kind == "any":
        return value
    if want.kind == "string":
        if isinstance(value, (list, dict)):
            raise ExprError(f"a string is required, got {type_name(value)}")
        return as_string(value)
    if want.kind == "number":
        return _primitive(as_number, value, "number")
    if want.kind == "bool":
        return _primitive(as_bool, value, "bool")
    if want.kind in ("list", "set", "tuple"):
        return _sequence(value, want)
    return _mapping(value, want)


def _primitive(fn: object, value: Value, name: str) -> Value:
    try:
        return fn(value)  # type: ignore[operator]
    except ExprError:
        raise ExprError(f"a {name} is required, got {type_name(value)}") from None


def _sequence(value: Value, want: Type) -> Value:
    if not isinstance(value, list):
        raise ExprError(f"{want} required, got {type_name(value)}")
    if want.kind == "tuple":
        if len(value) != len(want.elements):
            raise ExprError(f"a tuple of {len(want.elements)} elements is required, "
                            f"got {len(value)}")
        return [_at(v, t, f"element {i}") for i, (v, t) in
                enumerate(zip(value, want.elements, strict=True))]
    assert want.element is not None
    out = [_at(v, want.element, f"element {i}") for i, v in enumerate(value)]
    if want.kind == "set":
        unique: list[Value] = []
        for item in out:
            if not any(equal(item, seen) for seen in unique):
                unique.append(item)
        return unique
    return out


def _mapping(value: Value, want: Type) -> Value:
    if not isinstance(value, dict):
        raise ExprError(f"{want} required, got {type_name(value)}")
    if want.kind == "map":
        assert want.element is not None
        return {k: _at(v, want.element, f'element "{k}"') for k, v in value.items()}
    out: dict[str, Value] = {}
    for name, attr in want.attrs.items():
        if name in value and value[name] is not None:
            out[name] = _at(value[name], attr, f'attribute "{name}"')
        elif name in want.optional:
            out[name] = want.defaults.get(name)
        else:
            raise ExprError(f'attribute "{name}" is required')
    return out


def _at(value: Value, want: Type, where: str) -> Value:
    try:
        return convert(value, want)
    except ExprError as e:
        raise ExprError(f"{where}: {e.message}") from None
