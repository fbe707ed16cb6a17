"""`alloc logs` flag rules and tail handling (no agent needed)."""

from __future__ import annotations

import pytest

from caravan.api import LogFrame
from caravan.cli.alloc_logs import LogPlan, copy_frames, plan_logs, tail_lines
from caravan.errors import CommandFailed


def plan(**kw: object) -> LogPlan:
    args: dict[str, object] = {"stdout": False, "stderr": False, "follow": False,
                               "tail": False, "lines": -1, "count": -1}
    args.update(kw)
    return plan_logs(**args)  # type: ignore[arg-type]


def test_default_reads_stdout_from_the_start() -> None:
    assert plan() == LogPlan(log_type="stdout", origin="start", offset=0, lines=-1)


def test_follow_alone_follows_both_streams_from_the_end() -> None:
    p = plan(follow=True)
    assert p.follow_both and p.origin == "end"


@pytest.mark.parametrize("extra", [{"stderr": True}, {"stdout": True}, {"tail": True},
                                   {"lines": 5}, {"count": 10}])
def test_follow_with_any_other_flag_follows_one_stream(extra: dict[str, object]) -> None:
    p = plan(follow=True, **extra)
    assert not p.follow_both and p.follow


def test_both_streams_without_follow_is_an_error() -> None:
    with pytest.raises(CommandFailed, match="Unable to support both stdout and stderr"):
        plan(stdout=True, stderr=True)


def test_tail_defaults_to_ten_lines() -> None:
    assert plan(tail=True) == LogPlan(log_type="stdout", origin="end", offset=1200, lines=10)


def test_tail_lines_and_bytes() -> None:
    assert plan(tail=True, stderr=True, lines=3) == LogPlan(
        log_type="stderr", origin="end", offset=360, lines=3)
    assert plan(tail=True, count=42) == LogPlan(origin="end", offset=42, lines=-1)


def test_tail_with_both_n_and_c() -> None:
    with pytest.raises(CommandFailed, match="Failed to read stdout file: both -n and -c set"):
        plan(tail=True, lines=1, count=1)


def test_n_without_tail_reads_from_the_start() -> None:
    assert plan(lines=3).origin == "start"


@pytest.mark.parametrize("data, n, expected", [
    (b"a\nb\nc\n", 2, b"b\nc\n"), (b"a\nb\nc", 1, b"c"), (b"a\nb\n", 5, b"a\nb\n"),
    (b"", 3, b""), (b"only\n", 1, b"only\n"), (b"a\nb\nc\n", 0, b""),
])
def test_tail_lines(data: bytes, n: int, expected: bytes) -> None:
    assert tail_lines(data, n) == expected


def test_copy_frames_all_data_in_order() -> None:
    out: list[bytes] = []
    frames = [LogFrame(data=b"one\n"), LogFrame(), LogFrame(data=b"two\n")]
    copy_frames(iter(frames), out.append, -1)
    assert out == [b"one\n", b"two\n"]


def test_copy_frames_keeps_last_lines_until_idle_then_streams() -> None:
    out: list[bytes] = []
    frames = [LogFrame(data=b"1\n2\n"), LogFrame(data=b"3\n"), LogFrame(),
              LogFrame(data=b"4\n")]
    copy_frames(iter(frames), out.append, 2)
    assert out == [b"2\n3\n", b"4\n"]


def test_copy_frames_trims_at_end_of_stream() -> None:
    out: list[bytes] = []
    copy_frames(iter([LogFrame(data=b"1\n2\n3\n")]), out.append, 1)
    assert out == [b"3\n"]
