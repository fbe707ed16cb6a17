"""The exec terminal in headless Chromium, against a real exec-driver task: output of
`echo`, `stty size` following a window resize, Ctrl-C interrupting `sleep`, and the exit
code of `exit 3` in the status line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.agents import AgentProcess, wait_until
from tests.ui.browser import page_of
from tests.ui.helpers import SHELL, open_terminal, run_job, screen, wait_screen


@pytest.fixture(scope="module")
def shell(dev_agent: AgentProcess, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A running exec task (`sleep 3600` in its container); its alloc ID."""
    return run_job(dev_agent, tmp_path_factory.mktemp("jobs"), SHELL, "shell")


@pytest.fixture
def terminal(dev_agent: AgentProcess, browser: Browser, shell: str,
             request: pytest.FixtureRequest) -> Iterator[Page]:
    with page_of(browser, dev_agent.address, f"exec-{request.node.name}") as page:
        open_terminal(page, shell)
        yield page


def test_echo_shows_its_output(terminal: Page) -> None:
    terminal.keyboard.type("echo hello-$((6*7))\n")
    wait_screen(terminal, "hello-42")  # only the command's output, not the typed line


def test_stty_size_follows_a_window_resize(terminal: Page) -> None:
    size = terminal.locator("#exec-size")
    before = (size.get_attribute("data-rows"), size.get_attribute("data-cols"))
    terminal.set_viewport_size({"width": 820, "height": 520})
    wait_until(lambda: (size.get_attribute("data-rows"), size.get_attribute("data-cols"))
               != before, what="the terminal to take the new window size")
    rows, cols = size.get_attribute("data-rows"), size.get_attribute("data-cols")
    assert (rows, cols) != before
    terminal.keyboard.type("stty size\n")
    wait_screen(terminal, f"\n{rows} {cols}")


def test_ctrl_c_interrupts_sleep(terminal: Page) -> None:
    terminal.keyboard.type("sleep 1000\n")
    terminal.keyboard.press("Control+C")
    terminal.keyboard.type("echo back-$((1+2))\n")
    wait_screen(terminal, "back-3")  # the shell runs it: the sleep is gone
    expect(terminal.locator("#exec-status")).to_have_text("Connected")


def test_exit_3_shows_exit_code_3(terminal: Page) -> None:
    terminal.keyboard.type("exit 3\n")
    status = terminal.locator("#exec-status")
    expect(status).to_have_text("The command exited with code 3")
    expect(status).to_have_attribute("data-state", "failed")
    assert "exit 3" in screen(terminal)


def test_a_dropped_session_says_so(dev_agent: AgentProcess, terminal: Page) -> None:
    """Last in the module: the agent dies (SIGKILL) under an open terminal, then starts
    again on its data dir, re-attaches the task, and is stopped by the fixture."""
    dev_agent.kill()
    try:
        status = terminal.locator("#exec-status")
        expect(status).to_have_attribute("data-state", "dropped")
        expect(status).to_contain_text("Connection dropped")
    finally:
        dev_agent.start()  # so that its stop removes the task it left running
