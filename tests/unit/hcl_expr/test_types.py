"""Type constraints as python-hcl2 renders them, and conversion as HCL converts."""

from __future__ import annotations

from typing import Any

import pytest

from caravan.hcl.expr import ExprError, convert, parse_type


@pytest.mark.parametrize(("type_text", "value", "want"), [
    ("string", 1, "1"), ("string", True, "true"), ("number", "1", 1), ("number", "1.5", 1.5),
    ("bool", "true", True), ("any", [1, "a"], [1, "a"]), ("string", None, None),
    ("${list(string)}", [1, True], ["1", "true"]), ("${set(number)}", [1, "1", 2], [1, 2]),
    ("${map(number)}", {"a": "2"}, {"a": 2}),
    ("${tuple([string, number])}", [1, "2"], ["1", 2]),
    ('${object({"a": "number", "b": "${optional(string)}"})}', {"a": "3", "c": 1},
     {"a": 3, "b": None}),
    ('${object({"a": "${optional(number, 5)}"})}', {}, {"a": 5}),
    ("${list(object({name = string}))}", [{"name": 1}], [{"name": "1"}]),
])
def test_conversion(type_text: str, value: Any, want: Any) -> None:
    assert convert(value, parse_type(type_text)) == want


@pytest.mark.parametrize(("type_text", "value", "fragment"), [
    ("number", "x", "a number is required"), ("bool", 1, "a bool is required"),
    ("string", [1], "a string is required"), ("${list(string)}", "a", "list(string) required"),
    ("${list(number)}", [1, "x"], "element 1: a number is required"),
    ('${object({"a": "number"})}', {}, 'attribute "a" is required'),
    ("${map(string)}", [1], "map(string) required"),
    ("${tuple([string])}", [1, 2], "a tuple of 1 elements"),
])
def test_conversion_errors(type_text: str, value: Any, fragment: str) -> None:
    with pytest.raises(ExprError) as info:
        convert(value, parse_type(type_text))
    assert fragment in info.value.message


@pytest.mark.parametrize("text", ["strin", "${list(string, number)}", "${foo(string)}", "1"])
def test_bad_type_constraints(text: str) -> None:
    with pytest.raises(ExprError):
        parse_type(text)
