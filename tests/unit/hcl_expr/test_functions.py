"""Nomad's job-file functions, each against the result cty's implementation gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from caravan.hcl.expr import ExprError, Scope, evaluate, job_functions, parse_expression


def call(text: str, base_dir: str = "", allow_fs: bool = False) -> Any:
    return evaluate(parse_expression(text), Scope({}, job_functions(base_dir, allow_fs)))


CORPUS = [
    # strings
    ('format("%s-%d-%03d-%.2f-%t-%q-%%", "a", 1, 7, 1.5, true, "x")',
     'a-1-007-1.50-true-"x"-%'), ('format("%v", [1, "a"])', '[1,"a"]'),
    ('formatlist("%s=%s", ["a", "b"], "v")', ["a=v", "b=v"]),
    ('lower("AbC")', "abc"), ('upper("abc")', "ABC"), ('title("hello world")', "Hello World"),
    ('trim("?!hi?!", "!?")', "hi"), ('trimprefix("ab", "a")', "b"),
    ('trimsuffix("ab", "b")', "a"), ('trimspace("  x \\n")', "x"),
    ('replace("a-b-c", "-", "+")', "a+b+c"), ('replace("a1b22", "/[0-9]+/", "#")', "a#b#"),
    ('regex_replace("abc", "(b)", "[$1]")', "a[b]c"), ('split(",", "a,b,,c")',
                                                       ["a", "b", "", "c"]),
    ('join("-", ["a", "b"], ["c"])', "a-b-c"), ('substr("hello", 1, 3)', "ell"),
    ('substr("hello", -3, -1)', "llo"), ('chomp("x\\n\\n")', "x"),
    ('indent(2, "a\\nb")', "a\n  b"), ('strrev("abc")', "cba"), ('strlen("héllo")', 5),
    # collections
    ('length([1, 2])', 2), ('length({a = 1})', 1), ('length("abc")', 3),
    ('concat([1], [2, 3])', [1, 2, 3]), ('contains(["a"], "a")', True),
    ('contains([1], "1")', False), ('keys({b = 1, a = 2})', ["a", "b"]),
    ('values({b = 1, a = 2})', [2, 1]), ('lookup({a = 1}, "a", 0)', 1),
    ('lookup({a = 1}, "z", 0)', 0), ('merge({a = 1, b = 1}, {b = 2})', {"a": 1, "b": 2}),
    ('element(["a", "b"], 3)', "b"), ('flatten([[1, [2]], 3])', [1, 2, 3]),
    ('distinct([1, 2, 1])', [1, 2]), ('range(3)', [0, 1, 2]), ('range(1, 4)', [1, 2, 3]),
    ('range(0, 1, 0.25)', [0, 0.25, 0.5, 0.75]), ('range(3, 0)', [3, 2, 1]),
    ('coalesce("", null, "x")', "x"), ('coalescelist([], [1])', [1]),
    ('compact(["a", "", null, "b"])', ["a", "b"]), ('index(["a", "b"], "b")', 1),
    ('slice([1, 2, 3], 1, 3)', [2, 3]), ('sort(["b", "a", "c"])', ["a", "b", "c"]),
    ('reverse([1, 2])', [2, 1]), ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('setunion(["a"], ["b", "a"])', ["a", "b"]), ('setintersection([1, 2], [2, 3])', [2]),
    ('setproduct(["a"], [1, 2])', [["a", 1], ["a", 2]]),
    ('chunklist([1, 2, 3], 2)', [[1, 2], [3]]),
    # encoding
    ('jsonencode({b = [1, true], a = null})', '{"a":null,"b":[1,true]}'),
    ('jsondecode("{\\"a\\": [1, 2.5]}")', {"a": [1, 2.5]}),
    ('base64encode("hi")', "aGk="), ('base64decode("aGk=")', "hi"),
    ('urlencode("a b&c")', "a+b%26c"),
    ('csvdecode("a,b\\n1,2\\n")', [{"a": "1", "b": "2"}]),
    ('sha256("x")', "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
    ('length(uuidv4())', 36),
    ('uuidv5("dns", "example.com")', "cfbff0d1-9375-5685-968c-48ce8b15ae17"),
    # numeric
    ('abs(-2)', 2), ('ceil(1.2)', 2), ('floor(1.8)', 1), ('min(3, 1, 2)', 1),
    ('max(3, 1, 2)', 3), ('parseint("ff", 16)', 255), ('pow(2, 10)', 1024),
    ('signum(-3)', -1), ('log(8, 2)', 3),
    # date and time
    ('formatdate("DD MMM YYYY hh:mm ZZZ", "2024-01-02T15:04:05Z")', "02 Jan 2024 15:04 UTC"),
    ('formatdate("EEEE, h:mm aa \'o\'\'clock\'", "2024-01-02T15:04:05+02:00")',
     "Tuesday, 15:04 pm o'clock"),
    ('timeadd("2024-01-02T15:04:05Z", "-1h30m")', "2024-01-02T13:34:05Z"),
    # type conversion
    ('convert("1", "number")', 1), ('convert([1], "list(string)")', ["1"]),
]


@pytest.mark.parametrize(("text", "want"), CORPUS)
def test_corpus(text: str, want: Any) -> None:
    assert call(text) == want


@pytest.mark.parametrize(("text", "fragment"), [
    ('upper()', "takes 1 argument, got 0"), ('lower(1, 2)', "takes 1 argument, got 2"),
    ('range(1e12)', "the limit is"), ('element([], 0)', "empty list"),
    ('jsondecode("{")', "invalid JSON"), ('base64decode("!")', "not valid base64"),
    ('parseint("zz", 10)', "cannot parse"), ('format("%d")', "not enough arguments"),
    ('format("%s", 1, 2)', "too many arguments"), ('regex_replace("a", "(", "")',
                                                  "invalid regular expression"),
    ('timeadd("yesterday", "1h")', "not an RFC 3339 timestamp"),
    ('formatdate("Q", "2024-01-02T15:04:05Z")', "invalid date format verb"),
    ('lookup({}, "a")', 'no element "a"'), ('pow(10, 100000)', "too large"),
    ('convert("x", "number")', "a number is required"),
])
def test_errors_name_the_function(text: str, fragment: str) -> None:
    with pytest.raises(ExprError) as info:
        call(text)
    assert fragment in info.value.message
    assert info.value.message.startswith("error in function call") or "(" not in text[:1]


def test_file_functions_read_relative_to_the_job_file(tmp_path: Path) -> None:
    (tmp_path / "conf.txt").write_text("port=8080\n")
    base = str(tmp_path)
    assert call('file("conf.txt")', base, allow_fs=True) == "port=8080\n"
    assert call('fileexists("conf.txt")', base, allow_fs=True) is True
    assert call('fileexists("nope.txt")', base, allow_fs=True) is False
    assert call('filebase64("conf.txt")', base, allow_fs=True) == "cG9ydD04MDgwCg=="
    with pytest.raises(ExprError, match="cannot read"):
        call('file("nope.txt")', base, allow_fs=True)


@pytest.mark.parametrize("name", ["file", "filebase64", "fileexists", "abspath", "dirname",
                                  "basename", "pathexpand"])
def test_file_functions_are_refused_without_file_access(tmp_path: Path, name: str) -> None:
    (tmp_path / "secret").write_text("s3cret")
    with pytest.raises(ExprError) as info:
        call(f'{name}("secret")', str(tmp_path), allow_fs=False)
    assert "filesystem functions are disabled" in info.value.message
    assert "s3cret" not in info.value.message


def test_nomad_has_no_env_or_timestamp_function() -> None:
    for text in ('env("HOME")', "timestamp()"):
        with pytest.raises(ExprError, match="no function named"):
            call(text)
