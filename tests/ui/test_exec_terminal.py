"""The exec terminal in headless Chromium, against a real exec-driver task on an agent that
records sessions: output of `echo`, `stty size` following a window resize, Ctrl-C
interrupting `sleep`, the exit code of `exit 3` in the status line, the recorded session
played back on the allocation page, and a dropped session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.agents import AgentProcess, wait_until
from tests.ui.browser import page_of
from tests.ui.helpers import SHELL, open_terminal, run_job, wait_screen


RECORD = "client {\n  exec_recording {\n    enabled = true\n  }\n}\n"


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    """A -dev agent whose client records terminal sessions."""
    started = AgentProcess(root=tmp_path_factory.mktemp("exec-ui"), name="exec-ui", config=RECORD)
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture(scope="module")
def shell(agent: AgentProcess, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A running exec task (`sleep 3600` in its container); its alloc ID."""
    return run_job(agent, tmp_path_factory.mktemp("jobs"), SHELL, "shell")


@pytest.fixture
def terminal(agent: AgentProcess, browser: Browser, shell: str,
             request: pytest.FixtureRequest) -> Iterator[Page]:
    with page_of(browser, agent.address, f"exec-{request.node.name}") as page:
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
    wait_screen(terminal, "sleep 1000")
    terminal.keyboard.press("Control+C")
    terminal.keyboard.type("echo back-$((1+2))\n")
    wait_screen(terminal, "back-3")  # the shell runs it: the sleep is gone
    expect(terminal.locator("#exec-status")).to_have_text("Connected")


def test_a_command_with_arguments_from_the_command_box(terminal: Page, shell: str) -> None:
    terminal.fill("#exec-command", '["/bin/sh", "-c", "echo two words-$((5*5))"]')
    terminal.locator("#exec-command").press("Enter")
    wait_screen(terminal, "two words-25")
    expect(terminal.locator("#exec-status")).to_have_text("The command exited with code 0")


def test_exit_3_shows_exit_code_3(terminal: Page) -> None:
    terminal.keyboard.type("exit 3\n")
    status = terminal.locator("#exec-status")
    expect(status).to_have_text("The command exited with code 3")
    expect(status).to_have_attribute("data-state", "failed")
    # xterm.js draws what it was sent on the next animation frame, which may come after
    # the status line changed.
    wait_screen(terminal, "exit 3")


def test_the_recorded_session_plays_back_on_the_alloc_page(
        agent: AgentProcess, browser: Browser, shell: str) -> None:
    with page_of(browser, agent.address, "exec-recording-replay") as page:
        open_terminal(page, shell)
        page.keyboard.type("echo recorded-$((2*3)); exit 0\n")
        expect(page.locator("#exec-status")).to_have_text("The command exited with code 0")
        page.goto(f"/ui/allocations/{shell}")
        row = page.locator("#sessions tr", has_text="exit 0").first
        row.locator("button", has_text="Play").click()
        expect(page.locator("#replay .xterm-rows")).to_contain_text("recorded-6")


def test_a_dropped_session_says_so(agent: AgentProcess, terminal: Page) -> None:
    """Last in the module: the agent dies (SIGKILL) under an open terminal, then starts
    again on its data dir, re-attaches the task, and is stopped by the fixture."""
    agent.kill()
    try:
        status = terminal.locator("#exec-status")
        expect(status).to_have_attribute("data-state", "dropped")
        expect(status).to_contain_text("Connection dropped")
    finally:
        agent.start()  # so that its stop removes the task it left running
