from __future__ import annotations

import pytest

from caravan.durations import format_duration, parse_duration


@pytest.mark.parametrize("text,ns", [
    ("5s", 5_000_000_000), ("1m30s", 90_000_000_000), ("250ms", 250_000_000),
    ("1h", 3_600_000_000_000), ("1.5s", 1_500_000_000), ("0", 0), ("10us", 10_000),
])
def test_parse(text: str, ns: int) -> None:
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text,message", [
    ("5", "missing unit"), ("abc", "invalid duration"), ("5x", "invalid duration"),
    ("", "invalid duration"), ("1s2", "invalid duration"),
])
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


@pytest.mark.parametrize("ns,text", [
    (15_000_000_000, "15s"), (90_000_000_000, "1m30s"), (3_600_000_000_000, "1h0m0s"),
    (250_000_000, "250ms"), (0, "0s"),
])
def test_format(ns: int, text: str) -> None:
    assert format_duration(ns) == text
