"""The Go-style flag parser every command uses."""

from __future__ import annotations

import pytest

from caravan.cli.flags import FlagSet, HelpRequested, parse_go_bool
from caravan.errors import UsageError


def flagset() -> FlagSet:
    fs = FlagSet()
    fs.bool_flag("verbose")
    fs.bool_flag("i", True)
    fs.string_flag("task")
    fs.int_flag("n", -1)
    return fs


def test_defaults_when_nothing_given() -> None:
    flags = flagset().parse([])
    assert flags.get_bool("verbose") is False
    assert flags.get_bool("i") is True
    assert flags.get_str("task") == ""
    assert flags.get_int("n") == -1
    assert flags.args == []
    assert not flags.was_given("task")


@pytest.mark.parametrize("arg, expected", [
    ("-verbose", True), ("--verbose", True), ("-verbose=true", True), ("-verbose=1", True),
    ("-verbose=T", True), ("-verbose=false", False), ("-verbose=0", False),
    ("-verbose=False", False),
])
def test_boolean_forms(arg: str, expected: bool) -> None:
    assert flagset().parse([arg]).get_bool("verbose") is expected


def test_boolean_default_true_can_be_turned_off() -> None:
    assert flagset().parse(["-i=false"]).get_bool("i") is False


def test_boolean_never_takes_the_next_argument() -> None:
    flags = flagset().parse(["-verbose", "false"])
    assert flags.get_bool("verbose") is True
    assert flags.args == ["false"]


def test_bad_boolean_value() -> None:
    with pytest.raises(UsageError, match='invalid boolean value "yes" for -verbose: parse error'):
        flagset().parse(["-verbose=yes"])


@pytest.mark.parametrize("args", [["-task", "web"], ["-task=web"], ["--task", "web"],
                                  ["--task=web"]])
def test_string_value_forms(args: list[str]) -> None:
    assert flagset().parse(args).get_str("task") == "web"


def test_value_may_start_with_a_dash() -> None:
    assert flagset().parse(["-task", "-x"]).get_str("task") == "-x"


def test_int_values_and_errors() -> None:
    assert flagset().parse(["-n", "5"]).get_int("n") == 5
    assert flagset().parse(["-n=0x10"]).get_int("n") == 16
    with pytest.raises(UsageError, match='invalid value "five" for flag -n: parse error'):
        flagset().parse(["-n", "five"])


def test_missing_value() -> None:
    with pytest.raises(UsageError, match="flag needs an argument: -task"):
        flagset().parse(["-task"])


def test_unknown_flag() -> None:
    with pytest.raises(UsageError, match="flag provided but not defined: -bogus"):
        flagset().parse(["-bogus"])


def test_bad_syntax() -> None:
    with pytest.raises(UsageError, match="bad flag syntax: ---x"):
        flagset().parse(["---x"])
    with pytest.raises(UsageError, match="bad flag syntax: -=x"):
        flagset().parse(["-=x"])


def test_parsing_stops_at_the_first_positional() -> None:
    flags = flagset().parse(["-verbose", "abc", "-task", "web", "-bogus"])
    assert flags.args == ["abc", "-task", "web", "-bogus"]
    assert flags.get_str("task") == ""


def test_double_dash_ends_flags_and_is_consumed() -> None:
    flags = flagset().parse(["--", "-verbose"])
    assert flags.args == ["-verbose"]
    assert flags.get_bool("verbose") is False


def test_a_lone_dash_is_positional() -> None:
    assert flagset().parse(["-", "-verbose"]).args == ["-", "-verbose"]


@pytest.mark.parametrize("arg", ["-h", "-help", "--help"])
def test_help(arg: str) -> None:
    with pytest.raises(HelpRequested):
        flagset().parse([arg])


def test_help_after_a_positional_is_an_argument() -> None:
    assert flagset().parse(["abc", "-help"]).args == ["abc", "-help"]


def test_was_given_tracks_explicit_flags() -> None:
    flags = flagset().parse(["-n=-1"])
    assert flags.was_given("n") and flags.get_int("n") == -1


def test_go_bool_table() -> None:
    for text in ("1", "t", "T", "TRUE", "true", "True"):
        assert parse_go_bool(text) is True
    for text in ("0", "f", "F", "FALSE", "false", "False"):
        assert parse_go_bool(text) is False
    with pytest.raises(ValueError):
        parse_go_bool("yes")
