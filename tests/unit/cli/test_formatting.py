"""Nomad's text layouts: tables, key = value blocks, times, sizes, durations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from caravan.cli.formatting import (
    NS_PER_S,
    format_json,
    format_kv,
    format_list,
    format_list_with_spaces,
    format_rfc3339,
    format_time,
    format_unix_nano,
    go_duration,
    ibytes,
    pretty_time_diff,
)

UTC = timezone.utc
# 2024-01-02T03:04:05Z
T0 = 1704164645 * NS_PER_S


def test_list_aligns_left_with_two_spaces() -> None:
    text = format_list([["ID", "Type", "Priority"], ["hello", "service", 50],
                        ["a", "batch", 100]])
    assert text.splitlines() == [
        "ID     Type     Priority",
        "hello  service  50",
        "a      batch    100",
    ]


def test_list_shows_empty_cells_as_none_and_trims_line_ends() -> None:
    text = format_list([["ID", "Class", "Status"], ["n1", "", "ready"], ["n2", "gpu", ""]])
    assert text.splitlines() == [
        "ID  Class   Status",
        "n1  <none>  ready",
        "n2  gpu     <none>",
    ]


def test_list_with_spaces_keeps_empty_cells_empty() -> None:
    text = format_list_with_spaces([["CPU", "Memory", "Disk", "Addresses"],
                                    ["100 MHz", "300 MiB", "300 MiB", ""]])
    assert text.splitlines() == ["CPU      Memory   Disk     Addresses",
                                 "100 MHz  300 MiB  300 MiB"]


def test_kv_aligns_on_equals() -> None:
    text = format_kv([("ID", "hello"), ("Submit Date", "x"), ("Node Pool", "")])
    assert text.splitlines() == [
        "ID          = hello",
        "Submit Date = x",
        "Node Pool   = <none>",
    ]


def test_format_time_utc_and_offset() -> None:
    assert format_time(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05Z"
    plus_two = timezone(timedelta(hours=2))
    assert format_time(datetime(2024, 1, 2, 5, 4, 5, tzinfo=plus_two)) == \
        "2024-01-02T05:04:05+02:00"
    assert format_time(None) == ""


def test_unix_nano_zero_is_empty() -> None:
    assert format_unix_nano(0) == ""
    assert format_unix_nano(T0, UTC) == "2024-01-02T03:04:05Z"


def test_rfc3339_with_nanoseconds_and_zero_time() -> None:
    assert format_rfc3339("2024-01-02T03:04:05.123456789Z", UTC) == "2024-01-02T03:04:05Z"
    assert format_rfc3339("2024-01-02T05:04:05.5+02:00", UTC) == "2024-01-02T03:04:05Z"
    assert format_rfc3339("0001-01-01T00:00:00Z", UTC) == ""


@pytest.mark.parametrize("seconds, text", [
    (0, "0s ago"), (0.4, "0s ago"), (10, "10s ago"), (65, "1m5s ago"),
    (3600, "1h ago"), (3605, "1h5s ago"), (3 * 3600 + 62, "3h1m ago"),
    (86400 * 2 + 3600, "2d1h ago"), (86400 * 45, "1mo15d ago"),
    (86400 * 30 * 12 * 2 + 86400, "2y1d ago"),
])
def test_pretty_time_diff(seconds: float, text: str) -> None:
    assert pretty_time_diff(T0, T0 + int(seconds * NS_PER_S)) == text


def test_pretty_time_diff_future_and_unset() -> None:
    assert pretty_time_diff(T0 + 90 * NS_PER_S, T0) == "1m30s from now"
    assert pretty_time_diff(0, T0) == ""


@pytest.mark.parametrize("size, text", [
    (0, "0 B"), (9, "9 B"), (10, "10 B"), (1023, "1023 B"), (1024, "1.0 KiB"),
    (1536, "1.5 KiB"), (300 * 1024 * 1024, "300 MiB"), (64 * 1024 * 1024, "64 MiB"),
    (8 * 1024**3, "8.0 GiB"), (int(7.74 * 1024**3), "7.7 GiB"),
])
def test_ibytes(size: int, text: str) -> None:
    assert ibytes(size) == text


@pytest.mark.parametrize("ns, text", [
    (0, "0s"), (5 * NS_PER_S, "5s"), (1_500_000_000, "1.5s"), (250_000_000, "250ms"),
    (90 * NS_PER_S, "1m30s"), (3600 * NS_PER_S, "1h0m0s"), (1500, "1.5µs"),
])
def test_go_duration(ns: int, text: str) -> None:
    assert go_duration(ns) == text


def test_json_indents_by_four() -> None:
    assert format_json({"A": [1]}) == '{\n    "A": [\n        1\n    ]\n}'
