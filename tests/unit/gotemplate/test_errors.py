"""Parse and execution errors carry Go's shapes: template name, line (and column), context.

Parse errors read "template: NAME:LINE: message"; execution errors
"template: NAME:LINE:COL: executing "NAME" at <node>: message", the column a 0-based
byte offset within the line, as Go's parse.Tree.ErrorContext computes it.
"""

from __future__ import annotations

import pytest

from caravan.gotemplate import (Options, TemplateError, TemplateExecError, TemplateParseError,
                                parse, render)

PARSE_ERRORS = [
    ("unclosed action", "{{.X", "template: t:1: unclosed action"),
    ("unclosed action later line", "a\nb\n{{ if .X }}", "template: t:3: unexpected EOF"),
    ("unclosed action over lines", "{{\n\n\n", "template: t:4: unclosed action started at t:1"),
    ("error token in action started earlier", '{{ print\n"x }}',
     "template: t:2: unterminated quoted string"),
    ("undefined function", "{{nope 1}}", 'template: t:1: function "nope" not defined'),
    ("undefined variable", "{{$x}}", 'template: t:1: undefined variable "$x"'),
    ("variable out of scope", "{{if 1}}{{$x := 1}}{{end}}{{$x}}",
     'template: t:1: undefined variable "$x"'),
    ("stray end", "{{end}}", "template: t:1: unexpected {{end}}"),
    ("stray else", "{{else}}", "template: t:1: unexpected {{else}}"),
    ("missing if value", "{{if}}x{{end}}", "template: t:1: missing value for if"),
    ("empty action", "{{}}", "template: t:1: missing value for command"),
    ("unterminated string", '{{"abc}}', "template: t:1: unterminated quoted string"),
    ("unterminated raw string", "{{`abc}}", "template: t:1: unterminated raw quoted string"),
    ("unclosed paren", "{{(1}}", "template: t:1: unclosed left paren"),
    ("unexpected right paren", "{{1)}}", "template: t:1: unexpected right paren"),
    ("bad number", "{{3k}}", 'template: t:1: bad number syntax: "3k"'),
    ("unclosed comment", "{{/* x }}", "template: t:1: unclosed comment"),
    ("comment before delimiter", "{{/* x */ 1}}",
     "template: t:1: comment ends before closing delimiter"),
    ("break outside range", "{{break}}", "template: t:1: {{break}} outside {{range}}"),
    ("continue outside range", "{{if 1}}{{continue}}{{end}}",
     "template: t:1: {{continue}} outside {{range}}"),
    ("non-executable stage", "{{1 | 2}}", "template: t:1: non executable command in pipeline stage 2"),
    ("too many declarations", "{{$a, $b := 1}}", "template: t:1: too many declarations in command"),
    ("else if only for if", "{{range .}}{{else if 1}}{{end}}", "template: t:1: unexpected <if> in input"),
    ("multiple definition", '{{define "b"}}new{{end}}{{block "b" .}}old{{end}}',
     'template: t:1: template: multiple definition of template "b"'),
    ("define needs a name", "{{define x}}{{end}}", 'template: t:1: unexpected "x" in define clause'),
    ("dot after literal", "{{1.X}}", 'template: t:1: bad number syntax: "1.X"'),
    ("integer overflow", "{{9223372036854775808}}",
     'template: t:1: integer overflow: "9223372036854775808"'),
    ("complex refused", "{{1i}}", "template: t:1: complex numbers are not supported: '1i'"),
    ("line counts", "a\n\n{{.X | }}\n{{nope}}", 'template: t:4: function "nope" not defined'),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in PARSE_ERRORS],
                         ids=[c[0] for c in PARSE_ERRORS])
def test_parse_errors_read_as_go(text: str, message: str) -> None:
    with pytest.raises(TemplateParseError) as caught:
        parse("t", text)
    assert str(caught.value) == message


EXEC_ERRORS = [
    ("function error", '{{index .L 5}}', 'template: t:1:2: executing "t" at <index .L 5>: '
     "error calling index: index out of range: 5"),
    ("column after newline", 'x\n  {{len 3}}', 'template: t:2:4: executing "t" at <len 3>: '
     "error calling len: len of type int"),
    ("column counts bytes", 'é {{len 3}}', 'template: t:1:5: executing "t" at <len 3>: '
     "error calling len: len of type int"),
    ("field of int", "{{.L.X}}", 'template: t:1:2: executing "t" at <.L.X>: '
     "can't evaluate field X in type []interface {}"),
    ("field of string", "{{.S.X}}", 'template: t:1:2: executing "t" at <.S.X>: '
     "can't evaluate field X in type string"),
    ("private attribute", "{{.O._secret}}", 'template: t:1:2: executing "t" at <.O._secret>: '
     "can't evaluate field _secret in type Obj"),
    ("dunder attribute", "{{.O.__class__}}", 'template: t:1:2: executing "t" at <.O.__class__>: '
     "can't evaluate field __class__ in type Obj"),
    ("wrong arg count", "{{len 1 2}}", 'template: t:1:2: executing "t" at <len>: '
     "wrong number of args for len: want 1 got 2"),
    ("wrong arg type", "{{join 1 .L}}", 'template: t:1:7: executing "t" at <1>: '
     "expected string; found 1"),
    ("wrong value type", "{{toUpper .L}}", 'template: t:1:10: executing "t" at <.L>: '
     "wrong type for value; expected string; got []interface {}"),
    ("nil to string", "{{toUpper .Missing}}", 'template: t:1:10: executing "t" at <.Missing>: '
     "invalid value; expected string"),
    ("range over string", "{{range .S}}{{end}}", 'template: t:1:8: executing "t" at <.S>: '
     "range can't iterate over abc"),
    ("template not defined", '{{template "x"}}', 'template: t:1:11: executing "t" at '
     '<{{template "x"}}>: template "x" not defined'),
    ("error inside define names it", '{{define "in"}}{{len 1}}{{end}}{{template "in"}}',
     'template: t:1:17: executing "in" at <len 1>: error calling len: len of type int'),
    ("argument to non-function", "{{1 2}}", 'template: t:1:2: executing "t" at <1>: '
     "can't give argument to non-function 1"),
    ("nil command", "{{nil}}", 'template: t:1:2: executing "t" at <nil>: nil is not a command'),
    ("incompatible eq", '{{eq 1 "a"}}', 'template: t:1:2: executing "t" at <eq 1 "a">: '
     "error calling eq: incompatible types for comparison"),
    ("lt on slices", "{{lt .L .L}}", 'template: t:1:2: executing "t" at <lt .L .L>: '
     "error calling lt: invalid type for comparison"),
    ("integer division by zero", "{{divide 0 1}}", 'template: t:1:2: executing "t" at '
     "<divide 0 1>: error calling divide: runtime error: integer divide by zero"),
]


class Obj:
    def __init__(self) -> None:
        self._secret = "hidden"
        self.Public = "shown"


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in EXEC_ERRORS],
                         ids=[c[0] for c in EXEC_ERRORS])
def test_exec_errors_read_as_go(text: str, message: str) -> None:
    data = {"L": [1, 2], "S": "abc", "O": Obj()}
    with pytest.raises(TemplateExecError) as caught:
        render(text, data, name="t")
    assert str(caught.value) == message


def test_missing_key_error_option_is_error_on_missing_key() -> None:
    options = Options(missing_key="error")
    with pytest.raises(TemplateExecError) as caught:
        render("ok\n{{ .a.b }}", {"a": {}}, name="cfg.tpl", options=options)
    assert str(caught.value) == ('template: cfg.tpl:2:3: executing "cfg.tpl" at <.a.b>: '
                                 'map has no entry for key "b"')
    with pytest.raises(TemplateExecError, match='nil data; no entry for key "x"'):
        render("{{ .x }}", None, options=options)
    assert render("{{ .a }}", {"a": 1}, options=options) == "1"


def test_public_attribute_of_an_object_is_a_field() -> None:
    assert render("{{.O.Public}}", {"O": Obj()}) == "shown"


def test_runaway_recursion_is_an_error_not_a_crash() -> None:
    with pytest.raises(TemplateExecError, match=r"exceeded maximum template depth \(100\)"):
        render('{{define "r"}}{{template "r"}}{{end}}{{template "r"}}')


def test_deep_nesting_is_a_template_error() -> None:
    text = "{{if 1}}" * 3000 + "{{end}}" * 3000
    with pytest.raises(TemplateError, match="too deeply nested"):
        render(text)


def test_errors_are_caravan_errors_with_a_400() -> None:
    with pytest.raises(TemplateError) as caught:
        parse("t", "{{")
    assert caught.value.status == 400
