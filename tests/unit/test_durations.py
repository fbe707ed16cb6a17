from __future__ import annotations

import pytest

from caravan.durations import format_duration, parse_duration


@pytest.mark.parametrize("ns,text", [
    (15_000_000_000, "15s"), (90_000_000_000, "1m30s"), (3_600_000_000_000, "1h0m0s"),
    (250_000_000, "250ms"), (0, "0s"),
])
def test_format(ns: int, text: str) -> None:
    assert format_duration(ns) == text
S = 1_000_000_000


@pytest.mark.parametrize(("text", "ns"), [
    ("0", 0),
    ("30s", 30 * S),
    ("1m30s", 90 * S),
    ("1h", 3600 * S),
    ("24h", 86400 * S),
    ("250ms", 250_000_000),
    ("1.5s", 1_500_000_000),
    (".5m", 30 * S),
    ("10us", 10_000),
    ("10\u00b5s", 10_000),
    ("7ns", 7),
    ("-2s", -2 * S),
    ("+2s", 2 * S),
    ("1h2m3s4ms", 3723 * S + 4_000_000),
])
def test_go_durations_convert_to_nanoseconds(text, ns):
    assert parse_duration(text) == ns


@pytest.mark.parametrize(("text", "message"), [
    ("", 'time: invalid duration ""'),
    ("5", 'time: missing unit in duration "5"'),
    ("5 minutes", 'time: unknown unit " minutes" in duration "5 minutes"'),
    ("5d", 'time: unknown unit "d" in duration "5d"'),
    ("s", 'time: invalid duration "s"'),
    (".s", 'time: invalid duration ".s"'),
    ("-", 'time: invalid duration "-"'),
    ("3000000h", 'time: invalid duration "3000000h"'),
])
def test_bad_durations_give_go_messages(text, message):
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert str(info.value) == message
