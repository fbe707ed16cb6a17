"""printf, print and println as Go's fmt formats them (rows: format, args, Go's output)."""

from __future__ import annotations

import pytest

from caravan.gotemplate.printf import sprint, sprintf, sprintln

ROWS = [
    ("%v", [42], "42"),
    ("%d", [-42], "-42"),
    ("%5d|%-5d|%05d", [42, 42, 42], "   42|42   |00042"),
    ("%+d % d", [5, 5], "+5  5"),
    ("%.3d", [7], "007"),
    ("%x %X %#x %o %#o %O %b", [255, 255, 255, 8, 8, 8, 5], "ff FF 0xff 10 010 0o10 101"),
    ("%x", [-255], "-ff"),
    ("%c %q %U %#U", [65, 65, 0x1F600, 65], "A 'A' U+1F600 U+0041 'A'"),
    ("%s|%q|%v", ["hi", "hi", "hi"], 'hi|"hi"|hi'),
    ("%q", ['a"b\n\tc'], '"a\\"b\\n\\tc"'),
    ("%q", ["é"], '"é"'),
    ("%+q", ["é"], '"\\u00e9"'),
    ("%#q", ["abc"], "`abc`"),
    ("%x %X % x", ["hi", "hi", "hi"], "6869 6869 68 69"),
    ("%.2s|%5s|%-5s|", ["abcdef", "ab", "ab"], "ab|   ab|ab   |"),
    ("%t %v", [True, False], "true false"),
    ("%f %.2f %5.2f %e %E", [3.14159, 3.14159, 3.14159, 1234.5, 1234.5],
     "3.141590 3.14  3.14 1.234500e+03 1.234500E+03"),
    ("%g %g %g %g", [0.1 + 0.2, 1e6, 1e-5, 100.0], "0.30000000000000004 1e+06 1e-05 100"),
    ("%.3g %G", [3.14159, 1e21], "3.14 1E+21"),
    ("%v %v %v", [1.0, 2.5, 123456789.0], "1 2.5 1.23456789e+08"),
    ("%+.1f %08.3f", [2.0, -3.14159], "+2.0 -003.142"),
    ("%v %v", [float("inf"), float("nan")], "+Inf NaN"),
    ("%v", [[1, "a", None]], "[1 a <nil>]"),
    ("%d", [[1, 2, 3]], "[1 2 3]"),
    ("%q", [["a", "b"]], '["a" "b"]'),
    ("%v", [{"b": 2, "a": 1}], "map[a:1 b:2]"),
    ("%T %T %T %T %T %T", [1, 1.5, "s", True, [1], {"a": 1}],
     "int float64 string bool []interface {} map[string]interface {}"),
    ("%T", [None], "<nil>"),
    ("100%%", [], "100%"),
    ("%d", ["hi"], "%!d(string=hi)"),
    ("%s", [5], "%!s(int=5)"),
    ("%d", [None], "%!d(<nil>)"),
    ("%v", [None], "<nil>"),
    ("%d %d", [1], "1 %!d(MISSING)"),
    ("%d", [1, "x", 2], "1%!(EXTRA string=x, int=2)"),
    ("%", [1], "%!(NOVERB)%!(EXTRA int=1)"),
    ("%[2]d %[1]d", [1, 2], "2 1"),
    ("%[3]d", [1, 2], "%!d(BADINDEX)"),
    ("%*d|%-*d|%.*f", [4, 1, 3, 2, 2, 3.14159], "   1|2  |3.14"),
    ("%z", [1], "%!z(int=1)"),
]


@pytest.mark.parametrize(("fmt", "args", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_sprintf_matches_go(fmt: str, args: list[object], expected: str) -> None:
    assert sprintf(fmt, args) == expected


def test_sprint_spaces_only_between_non_strings() -> None:
    assert sprint(["a", 1, 2, "b", "c", 3.5]) == "a1 2bc3.5"
    assert sprint([None, None]) == "<nil> <nil>"


def test_sprintln_always_spaces_and_ends_in_newline() -> None:
    assert sprintln(["a", 1, "b"]) == "a 1 b\n"
