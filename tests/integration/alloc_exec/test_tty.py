"""`caravan alloc exec` with a pty, driven from a real pseudo-terminal (issue 4)."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.integration.alloc_exec.conftest import Allocs
from tests.integration.alloc_exec.terminal import Terminal

pytestmark = pytest.mark.integration

PROMPT = r"[$#] $"


@pytest.fixture
def shell(allocs: Allocs) -> Iterator[Terminal]:
    """An interactive /bin/sh in the exec task `web`, on a 33x111 terminal."""
    term = Terminal(["alloc", "exec", allocs.web["ID"][:8], "/bin/sh"], allocs.agent.env,
                    rows=33, cols=111)
    try:
        term.expect(PROMPT)
        yield term
    finally:
        term.close()


def test_interactive_shell_session(shell: Terminal) -> None:
    assert shell.is_raw()  # the CLI put its terminal in raw mode
    shell.type("echo $((6 * 7)) $USER\r")
    shell.expect(r"42 nobody\r\n")
    shell.type("cd /local && pwd\r")
    shell.expect(r"\r\n/local\r\n")
    shell.type("exit\r")
    assert shell.wait() == 0


def test_stty_size_follows_the_local_window(shell: Terminal) -> None:
    shell.type("stty size\r")
    shell.expect(r"\r\n33 111\r\n")
    shell.resize(50, 150)  # the kernel tells the CLI (SIGWINCH); it tells the agent
    for _ in range(50):
        # Type only at a prompt: a line typed earlier is echoed before the prompt.
        shell.expect(PROMPT)
        shell.type("stty size\r")
        match = shell.expect(r"\r\n(\d+ \d+)\r\n")
        if match.group(1) == b"50 150":
            break
    else:
        raise AssertionError("stty size never showed the new window size")
    shell.type("exit 0\r")
    assert shell.wait() == 0


def test_ctrl_c_reaches_the_remote_process(shell: Terminal) -> None:
    shell.type("sleep 300\r")
    shell.expect(r"sleep 300\r\n")
    shell.interrupt_until(PROMPT)
    shell.type("echo status-$?\r")  # sleep died of SIGINT; the shell and the CLI live on
    shell.expect(r"\r\nstatus-130\r\n")
    shell.type("exit 0\r")
    assert shell.wait() == 0


def test_escape_sequence_closes_the_session(shell: Terminal) -> None:
    shell.type("echo one\r")
    shell.expect(r"\r\none\r\n")
    shell.type("~.")
    assert shell.wait() == 1
    assert b"Connection closed" in shell.output
    assert b"failed to exec into task: context canceled" in shell.output


def test_double_escape_sends_one_and_mid_line_escape_is_plain(shell: Terminal) -> None:
    shell.type("~~; echo x~.y\r")  # at line start `~~` sends `~`: the shell runs `~; echo x~.y`
    shell.expect(r"x~\.y\r\n")
    shell.type("exit 0\r")
    assert shell.wait() == 0


def test_terminal_is_restored_after_exit_and_after_escape(allocs: Allocs) -> None:
    for how in ("exit 3\r", "~."):
        term = Terminal(["alloc", "exec", allocs.web["ID"], "/bin/sh"], allocs.agent.env)
        try:
            term.expect(PROMPT)
            assert term.is_raw()
            term.type(how)
            assert term.wait() == (3 if how.startswith("exit") else 1)
            assert term.attrs() == term.cooked
        finally:
            term.close()


def test_sigterm_ends_the_session_and_restores_the_terminal(shell: Terminal) -> None:
    shell.type("echo up\r")
    shell.expect(r"\r\nup\r\n")
    shell.proc.send_signal(signal.SIGTERM)
    assert shell.wait() == 1
    assert b"failed to exec into task: context canceled" in shell.output
    assert shell.attrs() == shell.cooked


def test_terminal_is_restored_when_the_session_is_refused(allocs: Allocs) -> None:
    term = Terminal(["alloc", "exec", allocs.web["ID"], "/no/such/command"], allocs.agent.env)
    try:
        assert term.wait() == 1
        assert b"failed to exec into task: failed to start command" in term.output
        assert term.attrs() == term.cooked
    finally:
        term.close()


def test_exit_code_of_a_tty_session_is_the_remote_one(allocs: Allocs) -> None:
    term = Terminal(["alloc", "exec", "-t", allocs.web["ID"], "/bin/sh", "-c",
                     "tty; kill -9 $$"], allocs.agent.env)
    try:
        assert term.wait() == 137
        assert b"/dev/pts/" in term.output  # the command had a terminal of its own
    finally:
        term.close()


def test_raw_exec_tty_session(allocs: Allocs) -> None:
    term = Terminal(["alloc", "exec", allocs.raw["ID"], "/bin/sh"], allocs.agent.env,
                    rows=20, cols=70)
    try:
        term.expect(PROMPT)
        term.type("stty size; pwd\r")
        term.expect(r"\r\n20 70\r\n.*/alloc/" + allocs.raw["ID"] + r"/main\r\n")
        term.type("sleep 300\r")
        term.expect(r"sleep 300\r\n")
        term.interrupt_until(PROMPT)
        term.type("echo status-$?\r")
        term.expect(r"\r\nstatus-130\r\n")
        term.type("exit 4\r")
        assert term.wait() == 4
        assert term.attrs() == term.cooked
    finally:
        term.close()
