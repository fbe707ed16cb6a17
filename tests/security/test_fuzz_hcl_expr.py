"""Property-based fuzzing (hypothesis) of HCL2 expressions, as /v1/jobs/parse evaluates
them on the server: any expression or template text gives a value or an ExprError with
a message, never another exception; and a job file with any expression gives a job or
an InvalidInput."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caravan.errors import InvalidInput
from caravan.hcl.expr import ExprError, Scope, evaluate, job_functions, parse_template
from caravan.jobspec import hcl_to_api_json

FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces of HCL's grammar, so most examples get past the first character.
PIECES = ["var.x", "var.m", "local.y", "attr.k", "[", "]", "{", "}", "(", ")", ",", ":",
          "=", "=>", "...", "?", "!", "-", "+", "*", "/", "%", "==", "&&", "||", "<", ">=",
          '"', '\\"', "${", "%{", "$${", "~", "for", "in", "if", "endif", "endfor", "else",
          "[*]", ".*", ".0", ".a", "1", "1.5e3", "0", "-1", "true", "null", "x", "s",
          "upper(", "length(", "range(", "format(", "jsondecode(", "try(", "can(",
          "regex_replace(", "split(", "merge(", "flatten(", "element(", "formatdate(",
          "timeadd(", "file(", "base64decode(", "csvdecode(", "setproduct(", "pow(",
          " ", "\n", "\\u00", "'", "#"]
expression_texts = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
any_texts = st.one_of(expression_texts, st.text(max_size=40),
                      expression_texts.map(lambda t: "${" + t + "}"))
SCOPE = Scope({"var": {"x": ["a", "b"], "m": {"a": 1}}, "local": {"y": "z"}},
              job_functions("", allow_fs=False), keep_unknown=True)


@FUZZ
@given(any_texts)
def test_any_template_gives_a_value_or_an_expression_error(text: str) -> None:
    try:
        evaluate(parse_template(text), SCOPE)
    except ExprError as e:
        assert e.message


@FUZZ
@given(expression_texts)
def test_any_attribute_expression_gives_a_job_or_invalid_input(text: str) -> None:
    source = ('variable "x" {\n  default = ["a"]\n}\n'
              f'job "j" {{\n  meta {{\n    k = "${{{text}}}"\n  }}\n}}\n')
    try:
        hcl_to_api_json(source, variables="x = [1]\n")
    except InvalidInput as e:
        assert str(e)


@pytest.mark.parametrize("text", [
    "${" + "[" * 3000 + "]" * 3000 + "}", "%{ if true }" * 2000, "${" + "-" * 5000 + "1}",
    "${" + "!" * 5000 + "true}", '${"' + "${" * 2000 + "}",
    "${" + " + ".join(["1"] * 3000) + "}",
])
def test_deep_or_long_input_is_an_error_or_a_value(text: str) -> None:
    try:
        evaluate(parse_template(text), SCOPE)
    except ExprError as e:
        assert e.message


def test_nested_for_expressions_over_large_ranges_stop_at_the_step_budget() -> None:
    text = "${[for a in range(100000) : [for b in range(100000) : a + b]]}"
    with pytest.raises(ExprError, match="evaluation takes more than"):
        evaluate(parse_template(text), Scope({}, job_functions("", False)))


def test_a_huge_format_width_is_refused() -> None:
    with pytest.raises(ExprError, match="the limit is"):
        evaluate(parse_template('${format("%999999999999d", 1)}'), SCOPE)
