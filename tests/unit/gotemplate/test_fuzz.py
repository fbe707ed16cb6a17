"""Any text either renders or fails with a TemplateError: never another exception.

Hypothesis builds texts from template fragments (delimiters, keywords, literals,
functions, trim markers) so most inputs reach the parser and the evaluator.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caravan.gotemplate import Options, TemplateError, parse

FRAGMENTS = ["{{", "}}", "{{- ", " -}}", "{{/*", "*/}}", " ", "\n", "x", ".", ".a", ".b.c", "$",
             "$x", ":=", "=", "|", "(", ")", ",", "if", "else", "end", "range", "with", "define",
             "template", "block", "break", "continue", '"s"', "`r`", "'c'", "1", "-2", "0x1F",
             "1.5e3", "true", "nil", "len", "index", "printf", '"%d %s %v"', "eq", "lt", "and",
             "or", "not", "slice", "print", "toJSON", "split", "join", "add", "divide", "loop",
             "parseInt", "toUpper", "indent", "timestamp", "env", "key", "nomadVar"]

DATA = {"a": {"b": [1, "two", None]}, "b": {"c": 3.5}, "x": [], "s": "str"}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30))
def test_any_text_renders_or_fails_cleanly(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        parse("fuzz", text, Options(missing_key="default")).execute(DATA)
    except TemplateError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_characters_render_or_fail_cleanly(text: str) -> None:
    try:
        parse("fuzz", "{{" + text + "}}").execute(DATA)
    except TemplateError:
        pass
