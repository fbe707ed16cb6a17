"""`caravan alloc debug` on a real pseudo-terminal: the default shell, in the copy, with a tty."""

from __future__ import annotations

import pytest

from tests.agents import wait_until
from tests.integration.alloc_debug.conftest import Allocs
from tests.integration.alloc_debug.host import debug_leftovers
from tests.integration.alloc_exec.terminal import Terminal

pytestmark = pytest.mark.integration

PROMPT = r"[$#] $"


def test_a_shell_in_a_copy_of_the_failed_task(allocs: Allocs) -> None:
    alloc_id = allocs.crashed["ID"]
    term = Terminal(["alloc", "debug", alloc_id[:8]], allocs.agent.env, rows=33, cols=111)
    try:
        term.expect(PROMPT)  # /bin/sh, the default command
        assert term.is_raw()
        term.type("cat /local/crash.txt; tty\r")
        term.expect(rf"left-by-{alloc_id}\r\n/dev/pts/\d+\r\n")
        for _ in range(50):  # the first size may reach the copy's pty just after it starts
            term.expect(PROMPT)
            term.type("stty size\r")
            if term.expect(r"\r\n(\d+ \d+)\r\n").group(1) == b"33 111":
                break
        else:
            raise AssertionError("the copy's terminal never got the local window size")
        term.expect(PROMPT)  # type only at a prompt: a line typed earlier is echoed first
        term.type("echo $USER; exit 7\r")
        term.expect(r"\nnobody\r\n")
        assert term.wait() == 7
    finally:
        term.close()
    assert debug_leftovers(allocs.agent.data_dir, alloc_id, "sleep 601") == []


def test_closing_with_the_escape_removes_the_copy(allocs: Allocs) -> None:
    alloc_id = allocs.crashed["ID"]
    term = Terminal(["alloc", "debug", alloc_id], allocs.agent.env)
    try:
        term.expect(PROMPT)
        term.type("\r~.")
        term.expect("Connection closed")
        assert term.wait() != 0
    finally:
        term.close()
    wait_until(lambda: not debug_leftovers(allocs.agent.data_dir, alloc_id, "sleep 601"), 30,
               what="the debug copy removed")
