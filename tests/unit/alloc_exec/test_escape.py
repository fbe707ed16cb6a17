"""The CLI's pure parts: the escape character's state machine and `-it` expansion."""

from __future__ import annotations

import pytest

from caravan.cli.alloc_exec import EscapeFilter, expand_it

TILDE = ord("~")


def feed_all(chunks: list[bytes], escape: int = TILDE) -> tuple[bytes, bool]:
    f = EscapeFilter(escape)
    sent = b""
    for chunk in chunks:
        out, closed = f.feed(chunk)
        sent += out
        if closed:
            return sent, True
    return sent + f.flush(), False


def test_tilde_dot_at_session_start_closes() -> None:
    assert feed_all([b"~."]) == (b"", True)


def test_tilde_dot_after_newline_or_carriage_return_closes_and_keeps_what_came_before() -> None:
    assert feed_all([b"ls\r~.rest"]) == (b"ls\r", True)
    assert feed_all([b"ls\n~."]) == (b"ls\n", True)


def test_tilde_dot_split_across_reads_still_closes() -> None:
    assert feed_all([b"echo\r", b"~", b"."]) == (b"echo\r", True)


def test_tilde_dot_in_the_middle_of_a_line_is_plain_text() -> None:
    assert feed_all([b"a~.b"]) == (b"a~.b", False)


def test_double_tilde_sends_one_and_is_not_a_line_start() -> None:
    assert feed_all([b"~~"]) == (b"~", False)
    assert feed_all([b"~~."]) == (b"~.", False)
    assert feed_all([b"\r~", b"~x"]) == (b"\r~x", False)


def test_tilde_and_another_character_send_both() -> None:
    assert feed_all([b"~x"]) == (b"~x", False)
    assert feed_all([b"~\r~."]) == (b"~\r", True)


def test_tilde_pending_at_end_of_input_is_sent() -> None:
    assert feed_all([b"abc\r~"]) == (b"abc\r~", False)


def test_another_escape_character() -> None:
    assert feed_all([b"~.", b"\r%."], escape=ord("%")) == (b"~.\r", True)


@pytest.mark.parametrize(("argv", "expanded"), [
    (["-it", "abc", "sh"], ["-i", "-t", "abc", "sh"]),
    (["-ti", "-task", "web", "abc", "sh"], ["-i", "-t", "-task", "web", "abc", "sh"]),
    (["abc", "sh", "-it"], ["abc", "sh", "-i", "-t"]),
    (["abc", "ls", "-la"], ["abc", "ls", "-la"]),
])
def test_it_is_rewritten_anywhere(argv: list[str], expanded: list[str]) -> None:
    assert expand_it(argv) == expanded
