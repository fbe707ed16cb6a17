"""`variable "x" { type default description sensitive validation { condition
error_message } }` blocks (and the short `variables { x = 1 }`): their declarations,
their values' checks, and Nomad's messages for unset and invalid variables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caravan.hcl.expr import ExprError, Scope, Type, convert, evaluate, parse_template
from caravan.hcl.expr.nodes import Traversal, walk
from caravan.hcl.expr.types import ANY, parse_type
from caravan.jobspec.hcl_body import Body, RawBlock, Spec
from caravan.jobspec.hcl_eval import evaluate_value
from caravan.jobspec.hcl_values import to_bool, to_string

VARIABLE = Spec(attrs={"description": ("description", to_string),
                       "sensitive": ("sensitive", to_bool)},
                blocks=frozenset({"validation"}), maps=frozenset({"default", "type"}))
VALIDATION = Spec(maps=frozenset({"condition", "error_message"}))
DOCS = "https://developer.hashicorp.com/nomad/docs/reference/hcl2/variables"


@dataclass(frozen=True)
class Validation:
    condition: str
    message: str
    line: int


@dataclass
class Variable:
    """One declared variable; `value`/`origin` is the last assignment (default < env <
    var files < -var), `origin` in Nomad's words (default, env, varfile, cmd)."""

    name: str
    line: int
    type: Type | None = None
    sensitive: bool = False
    validations: list[Validation] = field(default_factory=list)
    value: Any = None
    origin: str = ""
    where: tuple[str, int] | None = None  # the file and line that set the value

    @property
    def effective_type(self) -> Type:
        return self.type or ANY

    def assign(self, value: Any, origin: str, where: tuple[str, int] | None) -> None:
        self.value, self.origin, self.where = value, origin, where


def declare(top: Body) -> dict[str, Variable]:
    out: dict[str, Variable] = {}
    for block in top.blocks.get("variable", []):
        name = top.label(block, "variable", 'variable "region" { ... }')
        if not name:
            continue
        if name in out:
            top.error(f'Duplicate variable: "{name}" is already declared at line '
                      f"{out[name].line}", line=block.start)
            continue
        out[name] = _variable(top, block, name)
    for block in top.blocks.get("variables", []):
        body = top.child(block, "variables")
        for name, value in body.attrs.items():
            variable = Variable(name, body.attr_line(name))
            _default(body, variable, value, name)
            out.setdefault(name, variable)
    return out


def _variable(top: Body, block: RawBlock, name: str) -> Variable:
    body = top.child(block, f'variable["{name}"]')
    body.check(VARIABLE)
    fields = body.convert(VARIABLE)
    variable = Variable(name, block.start, sensitive=bool(fields.get("sensitive")))
    if not name.replace("_", "a").replace("-", "a").isalnum() or name[0].isdigit():
        body.error(f'Invalid variable name "{name}": a name must start with a letter or '
                   "underscore and may contain only letters, digits, underscores and dashes")
    if "type" in body.attrs:
        try:
            variable.type = parse_type(str(body.attrs["type"]))
        except ExprError as e:
            body.error(f"invalid type: {e.message}", line=body.attr_line("type"))
    if "default" in body.attrs:
        _default(body, variable, body.attrs["default"], "default")
    for i, rule in enumerate(body.blocks.get("validation", [])):
        _validation(body, rule, variable, f"{body.path}.validation[{i}]")
    return variable


def _default(body: Body, variable: Variable, raw: Any, attr: str) -> None:
    try:
        value = evaluate_value(raw, Scope())
        if variable.type is None:
            variable.type = _type_of(value)
        value = convert(value, variable.effective_type)
    except ExprError as e:
        body.error(f"Invalid default value for variable: this default value is not "
                   f"compatible with the variable's type constraint: {e.message}",
                   line=body.attr_line(attr))
        return
    variable.assign(value, "default", None)
    variable.origin = "default"


def _type_of(value: Any) -> Type | None:
    """With no `type`, a default's type decides how -var text is read (as Nomad)."""
    if isinstance(value, bool):
        return Type("bool")
    if isinstance(value, (int, float)):
        return Type("number")
    if isinstance(value, str):
        return Type("string")
    if isinstance(value, list):
        return Type("list", element=ANY)
    if isinstance(value, dict):
        return Type("map", element=ANY)
    return None


def _validation(parent: Body, block: RawBlock, variable: Variable, path: str) -> None:
    body = parent.child(block, path)
    body.check(VALIDATION)
    condition, message = body.attrs.get("condition"), body.attrs.get("error_message")
    if not isinstance(condition, str) or not isinstance(message, str):
        body.error("a validation block needs both condition and error_message")
        return
    try:
        refs = {n.text for n in walk(parse_template(condition)) if isinstance(n, Traversal)}
    except ExprError as e:
        body.error(f"invalid condition: {e.message}", line=body.attr_line("condition"))
        return
    own = f"var.{variable.name}"
    if any(ref != own and not ref.startswith((own + ".", own + "[")) for ref in refs):
        body.error(f'Invalid reference in variable validation: the condition for variable '
                   f'"{variable.name}" can only refer to the variable itself, using {own}',
                   line=body.attr_line("condition"))
        return
    if not refs:
        body.error(f'Invalid variable validation condition: the condition for variable '
                   f'"{variable.name}" must refer to {own}', line=body.attr_line("condition"))
        return
    if not message.strip():
        body.error("Invalid validation error message: an empty or blank string is not a "
                   "valid nor useful error message", line=body.attr_line("error_message"))
    variable.validations.append(Validation(condition, message, block.start))


def check(top: Body, variables: dict[str, Variable], scope: Scope) -> None:
    """Every variable has a value that passes its validations; else Nomad's messages."""
    for variable in variables.values():
        if not variable.origin:
            top.error(f'Unset variable "{variable.name}": a used variable must be set or '
                      f"have a default value; see {DOCS} for details", line=variable.line,
                      path="")
            continue
        for rule in variable.validations:
            _validate(top, variable, rule, scope)


def _validate(top: Body, variable: Variable, rule: Validation, scope: Scope) -> None:
    own = Scope({"var": {variable.name: variable.value}}, scope.functions, budget=scope.budget)
    try:
        result = evaluate(parse_template(rule.condition), own)
        if result is None or not isinstance(result, bool) and result not in ("true",
                                                                              "false"):
            raise ExprError("the condition must return true or false, not "
                            f"{'null' if result is None else type(result).__name__}")
        message = evaluate(parse_template(rule.message), Scope())
    except ExprError as e:
        top.error(f'Invalid variable validation result for "{variable.name}": {e.message}',
                  line=rule.line)
        return
    if result in (True, "true"):
        return
    top.error(f'Invalid value for variable "{variable.name}" (set by {_origin(variable)}): '
              f"{message}; this was checked by the validation rule at line {rule.line}",
              line=rule.line)


def _origin(variable: Variable) -> str:
    if variable.origin == "varfile" and variable.where:
        return f"{variable.where[0]}:{variable.where[1]}"
    return {"cmd": "-var", "env": f"NOMAD_VAR_{variable.name}"}.get(variable.origin,
                                                                     variable.origin)
