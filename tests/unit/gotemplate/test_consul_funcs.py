"""consul-template's Consul- and Vault-free functions, each pinned to what it renders.

Expectations come from consul-template's template/funcs.go behaviour: pipe-friendly
argument order, "" parsing as zero values, parseJSON numbers as float64, Go's
integer division, and so on.
"""

from __future__ import annotations

import pytest

from caravan.gotemplate import TemplateExecError, render

DATA = {"csv": " a,b,c ", "list": ["a", "b"], "nums": [1, 2, 3], "text": "line1\nline2\n\nline4",
        "obj": {"b": [1, 2.5, None, True], "a": "<x&y>"}}

ROWS = [
    ("base64Encode", '{{"hello" | base64Encode}}', "aGVsbG8="),
    ("base64Decode", '{{"aGVsbG8=" | base64Decode}}', "hello"),
    ("base64URLEncode", '{{"\xff\xfe?>" | base64URLEncode}}', "w7_Dvj8-"),
    ("base64URLDecode", '{{"w7_Dvj8-" | base64URLDecode}}', "\xff\xfe?>"),
    ("toJSON sorted and html-escaped", "{{.obj | toJSON}}",
     '{"a":"\\u003cx\\u0026y\\u003e","b":[1,2.5,null,true]}'),
    ("toJSONPretty", '{{toJSONPretty .obj}}',
     '{\n  "a": "\\u003cx\\u0026y\\u003e",\n  "b": [\n    1,\n    2.5,\n    null,\n    true\n  ]\n}'),
    ("toUnescapedJSON", '{{toUnescapedJSON .obj.a}}', '"<x&y>"'),
    ("toJSON float forms", "{{toJSON .f}}", "[1,1e+21,1e-7,0.5]"),
    ("parseJSON numbers are floats", '{{(parseJSON "{\\"n\\":1,\\"m\\":1000000}").m}}', "1e+06"),
    ("parseJSON nested", '{{with parseJSON "{\\"a\\":{\\"b\\":[\\"x\\"]}}"}}{{index .a.b 0}}{{end}}', "x"),
    ("parseJSON empty is empty map", '{{parseJSON ""}}', "map[]"),
    ("parseInt", '{{parseInt "-42"}} {{parseInt ""}}', "-42 0"),
    ("parseUint", '{{parseUint "42"}}', "42"),
    ("parseFloat", '{{parseFloat "1.5"}} {{parseFloat "1e3"}}', "1.5 1000"),
    ("parseBool", '{{parseBool "true"}} {{parseBool "0"}} {{parseBool "T"}} {{parseBool ""}}',
     "true false true false"),
    ("split trims first", "{{.csv | split \",\"}}", "[a b c]"),
    ("split empty", '{{split "," "  "}}', "[]"),
    ("splitToMap", '{{splitToMap "," "=" "a=1,b=2,c"}}', "map[a:1 b:2]"),
    ("join", '{{.list | join "-"}}', "a-b"),
    ("replaceAll", '{{"a.b.c" | replaceAll "." "/"}}', "a/b/c"),
    ("regexMatch", '{{"abc123" | regexMatch "[0-9]+$"}} {{regexMatch "^z" "abc"}}', "true false"),
    ("regexReplaceAll Go groups", '{{"foo-bar" | regexReplaceAll "(\\\\w+)-(\\\\w+)" "${2}_${1}x$$"}}',
     "bar_foox$"),
    ("regexReplaceAll $2_ names group 2_", '{{regexReplaceAll "(a)(b)" "$2_$1" "ab"}}', "a"),
    ("regexReplaceAll unknown group is empty", '{{regexReplaceAll "(a)" "[$1x]" "a"}}', "[]"),
    ("toLower toUpper", '{{"MiX" | toLower}} {{"MiX" | toUpper}}', "mix MIX"),
    ("toTitle keeps the rest", '{{"hello wORLD-x" | toTitle}}', "Hello WORLD-X"),
    ("trimSpace", '{{" \\t x \\n" | trimSpace}}', "x"),
    ("trim", '{{"xxhixx" | trim "x"}}', "hi"),
    ("trimPrefix trimSuffix", '{{"prefix-body" | trimPrefix "prefix-"}} {{"a.txt" | trimSuffix ".txt"}}',
     "body a"),
    ("sha256Hex", '{{"hello" | sha256Hex}}',
     "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
    ("md5sum", '{{"hello" | md5sum}}', "5d41402abc4b2a76b9719d911017c592"),
    ("hmacSHA256Hex", '{{hmacSHA256Hex "msg" "key"}}',
     "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628"),
    ("indent skips empty lines", "{{.text | indent 2}}", "  line1\n  line2\n\n  line4"),
    ("loop one", "{{range loop 3}}{{.}}{{end}}", "012"),
    ("loop two", "{{range $i := loop 5 8}}{{$i}}{{end}}", "567"),
    ("loop strings", '{{range loop "2" "4"}}{{.}}{{end}}', "23"),
    ("in list", "{{in .nums 2}} {{in .nums 9}}", "true false"),
    ("in string", '{{in "abc" "b"}}', "true"),
    ("in kinds must match", "{{in .nums 2.0}}", "false"),
    ("contains pipes the list", '{{.list | contains "b"}}', "true"),
    ("containsAll", '{{containsAll .list .list}} {{containsAll .nums .list}}', "true false"),
    ("containsAny", '{{containsAny .nums .list}} {{.list | containsAny .list}}', "false true"),
    ("containsNone", '{{containsNone .nums .list}} {{containsNone .list .list}}', "true false"),
    ("containsNotAll", '{{containsNotAll .list .list}} {{containsNotAll .nums .list}}',
     "false true"),
    ("add", "{{add 1 2}} {{add 1.5 2}} {{5 | add 2}}", "3 3.5 7"),
    ("subtract reverses", "{{subtract 3 10}} {{10 | subtract 3}}", "7 7"),
    ("multiply", "{{multiply 4 2.5}}", "10"),
    ("divide truncates toward zero", "{{divide 2 7}} {{divide 2 -7}} {{divide 2.0 7}}",
     "3 -3 3.5"),
    ("modulo sign of dividend", "{{modulo 3 10}} {{modulo 3 -10}}", "1 -1"),
    ("minimum maximum", "{{minimum 3 10}} {{maximum 3 10}} {{minimum 2.5 3}}", "3 10 2.5"),
]


@pytest.mark.parametrize(("template", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_function(template: str, expected: str) -> None:
    data = {**DATA, "f": [1.0, 1e21, 1e-7, 0.5]}
    assert render(template, data) == expected


FAILURES = [
    ("base64Decode", '{{base64Decode "!!"}}', "base64Decode: illegal base64 data at input byte 0"),
    ("parseInt", '{{parseInt "x1"}}', 'parseInt: strconv.ParseInt: parsing "x1": invalid syntax'),
    ("parseInt range", '{{parseInt "9223372036854775808"}}',
     'strconv.ParseInt: parsing "9223372036854775808": value out of range'),
    ("parseUint sign", '{{parseUint "-1"}}', "strconv.ParseUint: parsing \"-1\": invalid syntax"),
    ("parseBool", '{{parseBool "yes"}}', 'parseBool: strconv.ParseBool: parsing "yes": invalid syntax'),
    ("parseFloat", '{{parseFloat "1.2.3"}}', "strconv.ParseFloat: parsing \"1.2.3\": invalid syntax"),
    ("parseJSON", '{{parseJSON "{"}}', "error calling parseJSON"),
    ("regex", '{{regexMatch "(" "x"}}', "error calling regexMatch: error parsing regexp"),
    ("indent negative", '{{indent -1 "x"}}', "indent value must be a positive integer"),
    ("loop arity", "{{loop 1 2 3}}", "loop: wrong number of arguments, expected 1 or 2, but got 3"),
    ("add type", '{{add "a" 1}}', 'add: unknown type for "a" (string)'),
    ("modulo float", "{{modulo 1.5 3}}", "modulo: unknown type for %!q(float64=1.5) (float64)"),
    ("join non-strings", "{{join \",\" .nums}}", "join: every element must be a string"),
    ("toJSON unsupported", "{{toJSON .fn}}", "json: unsupported type"),
]


@pytest.mark.parametrize(("template", "message"), [r[1:] for r in FAILURES],
                         ids=[r[0] for r in FAILURES])
def test_function_failure(template: str, message: str) -> None:
    with pytest.raises(TemplateExecError) as caught:
        render(template, {**DATA, "fn": object()})
    assert message in str(caught.value)
