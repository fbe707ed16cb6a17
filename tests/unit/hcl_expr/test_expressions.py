"""The evaluator against HCL's semantics: operators, templates, traversals, splats,
for expressions, conditionals, and the runtime references Nomad keeps as written."""

from __future__ import annotations

from typing import Any

import pytest

from caravan.hcl.expr import ExprError, Scope, evaluate, job_functions, parse_template

VARS: dict[str, Any] = {
    "var": {"x": ["a", "b"], "n": 2, "m": {"a": 1, "b": 2}, "l": [{"id": 1}, {"id": 2}],
            "s": "hi", "t": True, "z": None},
    "local": {"k": "b"},
}


def ev(text: str, **extra: Any) -> Any:
    scope = Scope({**VARS, **extra}, job_functions("", False), keep_unknown=True)
    return evaluate(parse_template(text), scope)


CORPUS = [
    # A template of one interpolation is the expression's own value, of any type.
    ("${var.x}", ["a", "b"]), ("${var.n}", 2), ("${var.t}", True), ("${var.z}", None),
    ("${ var.m }", {"a": 1, "b": 2}),
    # Anything more is a string.
    ("${var.x[0]}-a", "a-a"), ("n=${var.n}", "n=2"), ("${var.t}!", "true!"),
    ("plain", "plain"), ("a$${b}", "a${b}"), ("100%%{x}", "100%{x}"),
    # Operators and precedence.
    ("${1 + 2 * 3}", 7), ("${(1 + 2) * 3}", 9), ("${10 - 2 - 3}", 5), ("${5 / 2}", 2.5),
    ("${4 / 2}", 2), ("${7 % 3}", 1), ("${-7 % 3}", -1), ("${-var.n}", -2),
    ("${!var.t}", False), ("${1 < 2 && 2 <= 2}", True), ("${1 > 2 || 3 >= 4}", False),
    ("${!true && false || 1 == 2}", False), ("${1 == \"1\"}", False), ("${\"1\" + 1}", 2),
    ("${var.x == [\"a\", \"b\"]}", True), ("${var.m != {a = 1, b = 2}}", False),
    ("${1.5e3}", 1500), ("${0.5 + 0.25}", 0.75),
    # Conditionals.
    ("${var.n > 1 ? \"big\" : \"small\"}", "big"), ("${var.t ? var.x : []}", ["a", "b"]),
    # Traversals, indexes, splats.
    ("${var.m.a}", 1), ("${var.m[\"b\"]}", 2), ("${var.m[local.k]}", 2),
    ("${var.x[var.n - 1]}", "b"), ("${var.l[1].id}", 2), ("${var.l.0.id}", 1),
    ("${var.l[*].id}", [1, 2]), ("${var.l.*.id}", [1, 2]), ("${var.z[*]}", []),
    ("${var.s[*]}", ["hi"]),
    # Collections and for expressions.
    ("${[1, \"a\", true]}", [1, "a", True]), ("${{a = 1, \"b\" = 2, (local.k) = 3}}",
                                              {"a": 1, "b": 3}),
    ("${[for s in var.x : upper(s)]}", ["A", "B"]),
    ("${[for i, s in var.x : \"${i}:${s}\" if s != \"a\"]}", ["1:b"]),
    ("${{for k, v in var.m : v => k}}", {"1": "a", "2": "b"}),
    ("${{for s in [\"a\", \"b\", \"a\"] : s => s...}}", {"a": ["a", "a"], "b": ["b"]}),
    # Template directives and strip markers.
    ("%{ for s in var.x }${s},%{ endfor }", "a,b,"),
    ("%{ if var.n > 1 }yes%{ else }no%{ endif }", "yes"), ("%{if false}x%{endif}", ""),
    ("a ${~ var.n ~} b", "a2b"), ("${\"nested ${var.s}\"}", "nested hi"),
    ('${"q\\"uote\\n"}', 'q"uote\n'), ('${"\\u00e9"}', "\u00e9"),
    # Nomad's runtime references stay as written for the client to interpolate.
    ("${attr.kernel.name}", "${attr.kernel.name}"), ("${NOMAD_ALLOC_DIR}/x",
                                                      "${NOMAD_ALLOC_DIR}/x"),
    ("${meta.rack-1}", "${meta.rack-1}"), ('${env["HOME"]}', '${env["HOME"]}'),
    ("${node.unique.name}-${var.s}", "${node.unique.name}-hi"),
    # python-hcl2's rendering of objects inside expressions (JSON-like, values as templates).
    ('${merge({"a": "${var.n}"}, {"b": "q"})}', {"a": 2, "b": "q"}),
    # try and can evaluate lazily.
    ("${try(var.nope, \"d\")}", "d"), ("${can(var.nope)}", False), ("${can(var.s)}", True),
]


@pytest.mark.parametrize(("text", "want"), CORPUS)
def test_corpus(text: str, want: Any) -> None:
    assert ev(text) == want


def test_expansion_of_the_last_argument() -> None:
    assert ev('${max([3, 9, 4]...)}') == 9
    assert ev('${format("%s-%s", var.x...)}') == "a-b"


@pytest.mark.parametrize(("text", "fragment"), [
    ("${var.nope}", 'no attribute "nope"'),
    ("${var.x[5]}", "out of range"),
    ("${var.x.a}", 'unsupported attribute "a"'),
    ("${1 + \"a\"}", "a number is required"),
    ("${nosuch(1)}", 'no function named "nosuch"'),
    ("${1 / 0}", "division by zero"),
    ("${var.m}-x", "cannot include a object in a string"),
    ("${var.z}-x", "the value is null"),
    ("${1 +}", "expected an expression"),
    ("${var.n", 'expected "}"'),
    ("${\"open}", "unterminated string"),
    ("%{ if true }x", '"%{endif}" directive is missing'),
    ("%{ endfor }", "without its opening directive"),
    ("${var.t ? 1}", 'expected ":"'),
    ("${{for s in var.x : 1 => s}}", 'duplicate object key "1"'),
    ("${file(\"/etc/passwd\")}", "filesystem functions are disabled"),
    ("${\"\\q\"}", "invalid escape"),
])
def test_errors_say_what(text: str, fragment: str) -> None:
    with pytest.raises(ExprError) as info:
        ev(text)
    assert fragment in info.value.message


def test_unknown_roots_are_errors_where_no_runtime_references_belong() -> None:
    with pytest.raises(ExprError, match="variables are not allowed here"):
        evaluate(parse_template("${var.x}"), Scope())


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ExprError, match="nested too deeply"):
        ev("${" + "(" * 5000 + "1" + ")" * 5000 + "}")
