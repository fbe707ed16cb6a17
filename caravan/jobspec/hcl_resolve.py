"""The HCL2 variables step between loading a job file and decoding its job: declare
variables and locals, assign and check the variables' values, evaluate the locals,
then evaluate every expression in the `job` block."""

from __future__ import annotations

from typing import Any

from caravan.hcl.expr import Scope, job_functions
from caravan.hcl.problems import Problems
from caravan.jobspec.hcl_body import Source
from caravan.jobspec.hcl_eval import evaluate_body, top_body
from caravan.jobspec.hcl_locals import declare_locals, evaluate_locals
from caravan.jobspec.hcl_var_values import VarInputs, assign_all
from caravan.jobspec.hcl_variables import check, declare

_DECLARATIONS = ("variable", "variables", "locals")


def resolve_document(document: dict[str, Any], source: Source,
                     inputs: VarInputs) -> dict[str, Any] | None:
    """The document with variable and locals blocks gone and every expression in the
    job evaluated; None when any step failed (the problems are in `source.problems`)."""
    top = top_body(document, source)
    problems: Problems = source.problems
    functions = job_functions(inputs.base_dir, inputs.allow_fs)
    variables = declare(top)
    locals_ = declare_locals(top)
    assign_all(variables, inputs, problems)
    check(top, variables, Scope(functions=functions))
    if problems:
        return None
    values = {name: v.value for name, v in variables.items()}
    scope = Scope({"var": values}, functions, keep_unknown=True)
    local_values = evaluate_locals(top, locals_, scope)
    if problems:
        return None
    scope = scope.with_names({"local": local_values})
    kept = {k: v for k, v in document.items() if k not in _DECLARATIONS}
    evaluated = evaluate_body(top_body(kept, source), scope)
    return None if problems else evaluated
