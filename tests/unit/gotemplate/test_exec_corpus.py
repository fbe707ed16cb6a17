"""Go's text/template semantics, pinned: each row is (name, template, data, output).

The rows take the shapes of Go's own exec tests (src/text/template/exec_test.go):
what Go prints for the same template over the same data (Python dicts and lists
standing for Go maps and slices, None for nil).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from caravan.gotemplate import render


@dataclass
class Server:
    Name: str
    Port: int
    Tags: list[str]


DATA = {
    "I": 17, "U": 0, "F": 1.5, "Zero": 0.0, "S": "xyz", "Empty": "", "T": True, "Fls": False,
    "SI": [3, 4, 5], "SEmpty": [], "MSI": {"one": 1, "two": 2, "three": 3}, "MEmpty": {},
    "Nil": None, "Nested": {"a": {"b": {"c": "deep"}}}, "Srv": Server("web", 8080, ["a", "b"]),
    "MII": {3: "c", 1: "a", 2: "b"}, "Mixed": [1, "a", None, 2.5, True],
}

CASES = [
    # text, actions, dot
    ("empty", "", None, ""),
    ("text", "some text", None, "some text"),
    ("dot int", "{{.}}", 17, "17"),
    ("dot nil data", "{{.}}", None, "<no value>"),
    ("field", "{{.I}}", DATA, "17"),
    ("nested fields", "{{.Nested.a.b.c}}", DATA, "deep"),
    ("struct field", "{{.Srv.Name}}:{{.Srv.Port}}", DATA, "web:8080"),
    ("struct print", "{{.Srv}}", DATA, "{web 8080 [a b]}"),
    ("missing key", "{{.Nope}}", DATA, "<no value>"),
    ("missing chain", "{{.Nope.deeper.still}}", DATA, "<no value>"),
    ("nil value in map", "{{.Nil}}", DATA, "<no value>"),
    ("slice print", "{{.SI}}", DATA, "[3 4 5]"),
    ("map print sorted", "{{.MSI}}", DATA, "map[one:1 three:3 two:2]"),
    ("int-keyed map sorted", "{{.MII}}", DATA, "map[1:a 2:b 3:c]"),
    ("mixed slice with nil", "{{.Mixed}}", DATA, "[1 a <nil> 2.5 true]"),
    ("float 1.5", "{{.F}}", DATA, "1.5"),
    ("float zero", "{{.Zero}}", DATA, "0"),
    ("bool", "{{.T}} {{.Fls}}", DATA, "true false"),
    # literals
    ("ideal int", "{{3}}", None, "3"),
    ("ideal float", "{{1.0}}", None, "1"),
    ("float exponent", "{{1e6}} {{1.5e-7}} {{123456.0}}", None, "1e+06 1.5e-07 123456"),
    ("hex", "{{0x1F}} {{0X1f}}", None, "31 31"),
    ("octal", "{{0o17}} {{017}}", None, "15 15"),
    ("binary", "{{0b101}}", None, "5"),
    ("underscores", "{{1_000_000}}", None, "1000000"),
    ("negative", "{{-7}} {{+7}}", None, "-7 7"),
    ("char", "{{'a'}} {{'\\n'}}", None, "97 10"),
    ("string escapes", '{{"a\\tb\\u00e9\\x41"}}', None, "a\tbéA"),
    ("raw string", "{{`a\\tb`}}", None, "a\\tb"),
    ("bools", "{{true}} {{false}}", None, "true false"),
    # variables
    ("$ is data", "{{$.I}}", DATA, "17"),
    ("declare", "{{$x := 23}}{{$x}}", None, "23"),
    ("declare prints nothing", "a{{$x := 1}}b", None, "ab"),
    ("assign", "{{$x := 1}}{{$x = 2}}{{$x}}", None, "2"),
    ("assign in if reaches outer", "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", None, "2"),
    ("declare in if is scoped", "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", None, "21"),
    ("variable field", "{{$s := .Srv}}{{$s.Name}}", DATA, "web"),
    ("$ inside range", "{{range .SI}}{{$.I}}{{end}}", DATA, "171717"),
    # if / else
    ("if true", "{{if true}}T{{end}}", None, "T"),
    ("if false else", "{{if false}}T{{else}}F{{end}}", None, "F"),
    ("else if", "{{if .Fls}}a{{else if .T}}b{{else}}c{{end}}", DATA, "b"),
    ("else if chain", "{{if 0}}a{{else if 0}}b{{else if 1}}c{{end}}", None, "c"),
    ("if pipeline decl", "{{if $x := .I}}{{$x}}{{end}}", DATA, "17"),
    # truthiness
    ("truth empty string", "{{if .Empty}}T{{else}}F{{end}}", DATA, "F"),
    ("truth string", "{{if .S}}T{{else}}F{{end}}", DATA, "T"),
    ("truth zero int", "{{if .U}}T{{else}}F{{end}}", DATA, "F"),
    ("truth zero float", "{{if .Zero}}T{{else}}F{{end}}", DATA, "F"),
    ("truth empty slice", "{{if .SEmpty}}T{{else}}F{{end}}", DATA, "F"),
    ("truth empty map", "{{if .MEmpty}}T{{else}}F{{end}}", DATA, "F"),
    ("truth nil", "{{if .Nil}}T{{else}}F{{end}}", DATA, "F"),
    ("truth missing", "{{if .Nope}}T{{else}}F{{end}}", DATA, "F"),
    ("truth struct", "{{if .Srv}}T{{else}}F{{end}}", DATA, "T"),
    ("truth slice", "{{if .SI}}T{{else}}F{{end}}", DATA, "T"),
    # with
    ("with sets dot", "{{with .Srv}}{{.Name}}{{end}}", DATA, "web"),
    ("with false else", "{{with .Empty}}x{{else}}empty{{end}}", DATA, "empty"),
    ("with decl", "{{with $x := .I}}{{$x}}-{{.}}{{end}}", DATA, "17-17"),
    ("else with", "{{with .Nope}}a{{else with .S}}{{.}}{{end}}", DATA, "xyz"),
    ("else keeps outer dot", "{{with .Empty}}x{{else}}{{.I}}{{end}}", DATA, "17"),
    # range
    ("range slice", "{{range .SI}}-{{.}}{{end}}", DATA, "-3-4-5"),
    ("range index elem", "{{range $i, $e := .SI}}{{$i}}={{$e}} {{end}}", DATA, "0=3 1=4 2=5 "),
    ("range one var is elem", "{{range $e := .SI}}{{$e}}{{end}}", DATA, "345"),
    ("range map sorted", "{{range $k, $v := .MSI}}{{$k}}={{$v}};{{end}}", DATA,
     "one=1;three=3;two=2;"),
    ("range map values sorted by key", "{{range .MSI}}{{.}}{{end}}", DATA, "132"),
    ("range int map sorted", "{{range $k, $v := .MII}}{{$k}}{{$v}}{{end}}", DATA, "1a2b3c"),
    ("range empty else", "{{range .SEmpty}}x{{else}}none{{end}}", DATA, "none"),
    ("range nil else", "{{range .Nil}}x{{else}}none{{end}}", DATA, "none"),
    ("range missing else", "{{range .Nope}}x{{else}}none{{end}}", DATA, "none"),
    ("range break", "{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}", DATA, "3"),
    ("range continue", "{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}", DATA, "35"),
    ("range int", "{{range 3}}{{.}}{{end}}", None, "012"),
    ("range vars scoped per iteration", "{{range .SI}}{{$x := .}}{{$x}}{{end}}", DATA, "345"),
    ("nested range", "{{range .SI}}{{range $.SI}}x{{end}}|{{end}}", DATA, "xxx|xxx|xxx|"),
    # trimming and comments
    ("trim both", "a  {{- 1 -}}  b", None, "a1b"),
    ("trim left newline", "a\n\n{{- 1}}", None, "a1"),
    ("trim right newline", "{{1 -}}\n\n  b", None, "1b"),
    ("dash without space is a number", "{{-3}}", None, "-3"),
    ("trim around comment", "a {{- /* c */ -}} b", None, "ab"),
    ("comment", "a{{/* a comment */}}b", None, "ab"),
    ("multiline comment", "a{{/*\nline\n*/}}b", None, "ab"),
    ("trim in range", "{{range .SI -}}\n  {{.}}\n{{- end}}", DATA, "345"),
    # pipelines and parentheses
    ("pipe to function", '{{"x" | printf "%s-%s" "a"}}', None, "a-x"),
    ("pipe chain", '{{.S | len | printf "%d"}}', DATA, "3"),
    ("parenthesized", "{{print (len .SI) (index .SI 0)}}", DATA, "3 3"),
    ("parenthesized field", "{{(index .Nested \"a\").b.c}}", DATA, "deep"),
    ("multi-line action", "{{print\n 1\n 2}}", None, "1 2"),
    # define, template, block
    ("define and template", '{{define "t"}}[{{.}}]{{end}}{{template "t" 5}}', None, "[5]"),
    ("template without data", '{{define "t"}}[{{.}}]{{end}}{{template "t"}}', 7, "[<no value>]"),
    ("template no dynamic scope", '{{define "t"}}{{$}}{{end}}{{$x := 1}}{{template "t" 2}}', None,
     "2"),
    ("block default", '{{block "b" .I}}<{{.}}>{{end}}', DATA, "<17>"),
    ("empty define does not replace", '{{block "b" .}}old{{end}}{{define "b"}} {{end}}', None,
     "old"),
    ("recursive template", '{{define "r"}}{{if .}}{{index . 0}}{{template "r" (slice . 1)}}'
     '{{end}}{{end}}{{template "r" .SI}}', DATA, "345"),
    ("define leaves no text", 'a{{define "x"}}X{{end}}b', None, "ab"),
]


@pytest.mark.parametrize(("template", "data", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_output_matches_go(template: str, data: object, expected: str) -> None:
    assert render(template, data) == expected
