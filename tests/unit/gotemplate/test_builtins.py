"""Go's predefined functions inside templates: and or not len index slice eq ne lt le gt ge
html js urlquery call print printf println."""

from __future__ import annotations

import pytest

from caravan.gotemplate import TemplateExecError, render

DATA = {"L": [1, 2, 3], "M": {"a": 1, "b": 2}, "S": "héllo", "Zero": 0, "Nil": None,
        "F": lambda a, b: a + b}

ROWS = [
    ("and returns first falsy", "{{and 1 0 2}}", "0"),
    ("and returns last", "{{and 1 2 3}}", "3"),
    ("or returns first truthy", '{{or 0 "" "x" 5}}', "x"),
    ("or returns last", '{{or 0 ""}}', ""),
    ("and short-circuits", "{{and .Zero (index .L 99)}}", "0"),
    ("or short-circuits", "{{or 1 (index .L 99)}}", "1"),
    ("and with pipe final", "{{1 | and 2}}", "1"),
    ("not", "{{not 0}} {{not .L}}", "true false"),
    ("len string counts bytes", "{{len .S}}", "6"),
    ("len slice map", "{{len .L}} {{len .M}}", "3 2"),
    ("index slice", "{{index .L 1}}", "2"),
    ("index map", '{{index .M "b"}}', "2"),
    ("index missing map key", '{{index .M "zz"}}', "<no value>"),
    ("index nested", '{{index .N "a" 0}}', "x"),
    ("index string is a byte", '{{index "abc" 1}}', "98"),
    ("slice", "{{slice .L 1}} {{slice .L 1 2}} {{slice .L}}", "[2 3] [2] [1 2 3]"),
    ("slice string", '{{slice "hello" 1 3}}', "el"),
    ("eq", '{{eq 1 1}} {{eq "a" "b"}} {{eq 2 1 2 3}}', "true false true"),
    ("eq nil", "{{eq .Nil .Nil}} {{eq .Missing 1}}", "true false"),
    ("ne", "{{ne 1 2}}", "true"),
    ("lt le gt ge", "{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 3}}", "true true false false"),
    ("strings compare", '{{lt "a" "b"}}', "true"),
    ("floats compare", "{{lt 1.5 2.5}}", "true"),
    ("html", '{{html "<a href=\'x\'>&\\"</a>"}}', "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;"),
    ("js", "{{js \"it's <b>\"}}", "it\\'s \\u003Cb\\u003E"),
    ("urlquery", '{{urlquery "a b&c=d/é"}}', "a+b%26c%3Dd%2F%C3%A9"),
    ("call", "{{call .F 1 2}}", "3"),
    ("print", '{{print 1 2 "a" 3}}', "1 2a3"),
    ("println", "{{println 1 2}}", "1 2\n"),
    ("printf", '{{printf "%05.1f|%-4s|" 3.14159 "ab"}}', "003.1|ab  |"),
    ("printf missing value", '{{printf "%v" .Missing}}', "<nil>"),
]


@pytest.mark.parametrize(("template", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_builtin(template: str, expected: str) -> None:
    assert render(template, {**DATA, "N": {"a": ["x"]}}) == expected


def test_index_out_of_range_fails() -> None:
    with pytest.raises(TemplateExecError, match="error calling index: index out of range: 9"):
        render("{{index .L 9}}", DATA)


def test_slice_bounds_fail() -> None:
    with pytest.raises(TemplateExecError, match=r"error calling slice: invalid slice index: 2 > 1"):
        render("{{slice .L 2 1}}", DATA)


def test_eq_needs_two_arguments() -> None:
    with pytest.raises(TemplateExecError, match="wrong number of args for eq: want at least 1"):
        render("{{eq}}", DATA)
    with pytest.raises(TemplateExecError, match="missing argument for comparison"):
        render("{{eq 1}}", DATA)


def test_eq_on_maps_is_not_comparable() -> None:
    with pytest.raises(TemplateExecError, match="non-comparable type"):
        render("{{eq .M .M}}", DATA)
