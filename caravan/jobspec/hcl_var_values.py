"""Where variable values come from, in Nomad's order (each later one wins): the
default, `NOMAD_VAR_<name>` in the environment, each `-var-file` in turn, the
`Variables` of a /v1/jobs/parse request, and each `-var name=value`.

A value from `-var` or the environment is plain text for a string or number variable
and an HCL expression (`["a", "b"]`, `{ a = 1 }`) otherwise; a variables file holds
`name = value` attributes, or a JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caravan.errors import InvalidInput
from caravan.hcl.expr import ExprError, Scope, convert, evaluate, parse_expression
from caravan.hcl.load import load_hcl
from caravan.hcl.problems import Problems
from caravan.jobspec.hcl_body import Body, Source
from caravan.jobspec.hcl_eval import evaluate_value, top_body
from caravan.jobspec.hcl_variables import Variable

ENV_PREFIX = "NOMAD_VAR_"


@dataclass(frozen=True)
class VarInputs:
    """What a caller supplies besides the job file. `allow_fs` lets file() read files
    relative to `base_dir`: the CLI's own files, never a server's."""

    args: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    content: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    strict: bool = True
    base_dir: str = ""
    allow_fs: bool = False


def assign_all(variables: dict[str, Variable], inputs: VarInputs, problems: Problems) -> None:
    for key, text in sorted(inputs.env.items()):
        name = key[len(ENV_PREFIX):]
        if key.startswith(ENV_PREFIX) and name in variables:
            _from_text(variables[name], text, "env", problems, f"{ENV_PREFIX}{name}")
    for path in inputs.files:
        _from_file(variables, path, _read(path, problems), inputs.strict, problems)
    if inputs.content.strip():
        _from_file(variables, "<Variables>", inputs.content, False, problems)
    for arg in inputs.args:
        name, _, text = arg.partition("=")
        if name not in variables:
            if inputs.strict:
                problems.add_in("-var", "", f'Undefined -var variable: a "{name}" variable '
                                f"was passed on the command line but is not declared; to "
                                f'declare it, add variable "{name}" {{}} to the job file')
            continue
        _from_text(variables[name], text, "cmd", problems, "-var")


def _read(path: str, problems: Problems) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        problems.add_in(path, "", f"cannot read variables file: {reason}")
        return ""


def _from_text(variable: Variable, text: str, origin: str, problems: Problems,
               where: str) -> None:
    want = variable.effective_type
    try:
        value: Any = text if want.simple or variable.type is None else evaluate(
            parse_expression(text), Scope())
        variable.assign(convert(value, want), origin, None)
    except ExprError as e:
        problems.add_in(where, "", f"Invalid value for variable {variable.name}: the value "
                        f"is not compatible with the variable's type constraint "
                        f"({want}): {e.message}")


def _from_file(variables: dict[str, Variable], path: str, text: str, strict: bool,
               problems: Problems) -> None:
    if not text.strip():
        return
    values = _json_values(path, text, problems) if text.lstrip().startswith("{") else \
        _hcl_values(path, text, problems)
    for name, (value, line) in values.items():
        variable = variables.get(name)
        if variable is None:
            if strict:
                problems.add_in(path, "", f'Undefined variable: a "{name}" variable was set '
                                "but is not declared in the job file", line)
            continue
        try:
            variable.assign(convert(value, variable.effective_type), "varfile", (path, line))
        except ExprError as e:
            problems.add_in(path, "", f"Invalid value for variable {name}: the value is not "
                            f"compatible with the variable's type constraint "
                            f"({variable.effective_type}): {e.message}", line)


def _json_values(path: str, text: str, problems: Problems) -> dict[str, tuple[Any, int]]:
    try:
        data = json.loads(text)
    except ValueError as e:
        problems.add_in(path, "", f"cannot parse variables file as JSON: {e}")
        return {}
    if not isinstance(data, dict):
        problems.add_in(path, "", "a JSON variables file holds one object")
        return {}
    return {str(k): (v, 1) for k, v in data.items()}


def _hcl_values(path: str, text: str, problems: Problems) -> dict[str, tuple[Any, int]]:
    own = Problems(path)
    document = load_hcl(text, own)
    try:
        own.raise_if_any()
    except InvalidInput as e:
        for error in e.errors:
            problems.add_in(path, error.path, error.message, error.line)
    if document is None:
        return {}
    body = top_body(document, Source(text.splitlines(), problems))
    _no_declarations(body, path, problems)
    out: dict[str, tuple[Any, int]] = {}
    for name, raw in body.attrs.items():
        line = body.attr_line(name)
        try:
            out[name] = (evaluate_value(raw, Scope()), line)
        except ExprError as e:
            problems.add_in(path, "", f"invalid value for {name}: {e.message}", line)
    return out


def _no_declarations(body: Body, path: str, problems: Problems) -> None:
    for kind, blocks in body.blocks.items():
        for block in blocks:
            name = block.labels[0] if block.labels else kind
            problems.add_in(path, "", f'Variable declaration in a variables file: a variables '
                            f"file sets values of variables the job file declares; to set "
                            f'"{name}" here write {name} = <value>', block.start)
