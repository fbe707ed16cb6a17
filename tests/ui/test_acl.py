"""The UI with ACLs on, in Chromium: with no token a page that needs one shows the token
page; a read-only token browses jobs and allocations, sees no Stop / Scale buttons and no
Exec link, and a terminal it opens by URL is refused with the agent's reason; a token
with `alloc-exec` sees the Exec link and opens a terminal; a management token sees the
job's buttons. (What the browser computes from the token's policies: web/test/.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect

from tests.integration.acl.cluster import ACL_ON, AclAgent
from tests.ui.browser import page_of, set_token, snap
from tests.ui.helpers import SHELL, cli, open_terminal, run_job, wait_screen

READ_ONLY = 'namespace "default" {\n  policy = "read"\n}\nnode {\n  policy = "read"\n}\n'
EXEC = ('namespace "default" {\n  policy = "read"\n  capabilities = ["alloc-exec"]\n}\n'
        'node {\n  policy = "read"\n}\n')


@dataclass
class AclUi:
    agent: AclAgent
    alloc: str
    read_only: str
    exec: str


def token(agent: AclAgent, name: str, rules: str) -> str:
    with agent.http(agent.root_secret) as root:
        reply = root.put(f"/v1/acl/policy/{name}", json={"Name": name, "Rules": rules})
        assert reply.status_code == 200, reply.text
        made = root.put("/v1/acl/token", json={"Name": name, "Type": "client", "Policies": [name]})
        assert made.status_code == 200, made.text
        return str(made.json()["SecretID"])


@pytest.fixture(scope="module")
def acl_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclUi]:
    agent = AclAgent(root=tmp_path_factory.mktemp("acl-ui"), name="acl-ui", config=ACL_ON)
    try:
        agent.start(timeout_s=60)
        alloc = run_job(agent, tmp_path_factory.mktemp("jobs"), SHELL, "shell",
                        token=agent.root_secret)
        yield AclUi(agent, alloc, token(agent, "reader", READ_ONLY), token(agent, "execer", EXEC))
    finally:
        agent.stop()


def test_no_token_shows_the_token_page(acl_ui: AclUi, browser: Browser) -> None:
    with page_of(browser, acl_ui.agent.address, "acl-no-token") as page:
        page.goto("/ui/jobs")
        expect(page.locator("#token-needed")).to_be_visible()
        expect(page).to_have_url(f"{acl_ui.agent.address}/ui/settings/tokens?from=%2Fui%2Fjobs")
        page.fill("#token-secret", acl_ui.read_only)
        page.click("#token-save")  # back to the page that needed it
        expect(page).to_have_url(f"{acl_ui.agent.address}/ui/jobs")
        expect(page.locator("#jobs")).to_contain_text("shell")


def test_read_only_token_browses_but_cannot_open_a_terminal(acl_ui: AclUi,
                                                            browser: Browser) -> None:
    with page_of(browser, acl_ui.agent.address, "acl-read-only-terminal") as page:
        set_token(page, acl_ui.read_only)
        expect(page.locator("#token-info")).to_contain_text("reader")
        page.goto("/ui/jobs/shell")
        expect(page.locator("#allocations")).to_contain_text(acl_ui.alloc[:8])
        expect(page.locator(".actions")).to_have_attribute("data-rights", "known")
        expect(page.locator("#job-stop")).to_be_hidden()
        expect(page.locator("#job-scale")).to_be_hidden()
        snap(page, "acl-read-only-job")
        page.goto(f"/ui/allocations/{acl_ui.alloc}")
        expect(page.locator("#tasks")).to_contain_text("running")
        expect(page.locator("#tasks-section")).to_have_attribute("data-rights", "known")
        expect(page.locator("#exec-main")).to_have_count(0)
        # Logs need read-logs, which "read" does not grant: the section says so.
        expect(page.locator("#logs")).to_contain_text("lacks the read-logs capability")
        snap(page, "acl-read-only-alloc")
        page.goto(f"/ui/allocations/{acl_ui.alloc}/exec/main?command=/bin/sh")
        status = page.locator("#exec-status")
        expect(status).to_have_attribute("data-state", "denied")
        expect(status).to_contain_text("Session denied: Permission denied")
        expect(status).to_contain_text("needs the alloc-exec capability")


def test_alloc_exec_token_opens_a_terminal(acl_ui: AclUi, browser: Browser) -> None:
    with page_of(browser, acl_ui.agent.address, "acl-exec-terminal") as page:
        set_token(page, acl_ui.exec)
        page.goto(f"/ui/allocations/{acl_ui.alloc}")
        expect(page.locator("#exec-main")).to_be_visible()  # alloc-exec: the link is there
        page.goto("/ui/jobs/shell")  # ... but still no job buttons: "read" + alloc-exec
        expect(page.locator(".actions")).to_have_attribute("data-rights", "known")
        expect(page.locator("#job-scale")).to_be_hidden()
        open_terminal(page, acl_ui.alloc)
        page.keyboard.type("echo allowed-$((40+2))\n")
        wait_screen(page, "allowed-42")


def test_management_token_sees_the_job_buttons(acl_ui: AclUi, browser: Browser) -> None:
    with page_of(browser, acl_ui.agent.address, "acl-management-job") as page:
        set_token(page, acl_ui.agent.root_secret)
        page.goto("/ui/jobs/shell")
        expect(page.locator("#job-stop")).to_be_visible()
        expect(page.locator("#job-scale")).to_be_visible()
        expect(page.locator("#job-start")).to_be_hidden()  # the job runs: nothing to start
        page.goto(f"/ui/allocations/{acl_ui.alloc}")
        expect(page.locator("#exec-main")).to_be_visible()


def test_caravan_ui_authenticate_hands_the_browser_the_token_once(acl_ui: AclUi,
                                                                  browser: Browser) -> None:
    done = cli(acl_ui.agent, "ui", "-authenticate", "-show-url", "shell",
               token=acl_ui.read_only)
    assert done.returncode == 0, done.stderr
    prefix = f"URL for web UI: {acl_ui.agent.address}/ui/jobs/shell?ott="
    assert done.stdout.startswith(prefix), done.stdout
    url = done.stdout.strip().removeprefix("URL for web UI: ")
    with page_of(browser, acl_ui.agent.address, "acl-ui-authenticate") as page:
        page.goto(url)  # no token set in this browser: the one-time token brings it
        expect(page.locator("#allocations")).to_contain_text(acl_ui.alloc[:8])
        expect(page).to_have_url(f"{acl_ui.agent.address}/ui/jobs/shell")  # secret gone
        page.goto("/ui/settings/tokens")
        expect(page.locator("#token-info")).to_contain_text("reader")
    with page_of(browser, acl_ui.agent.address, "acl-ui-authenticate-reused") as page:
        page.goto(url)  # the same one-time token again: refused, and said so
        expect(page.locator("#ott-error")).to_have_text("Token Exchange Error")
        expect(page.locator(".error")).to_contain_text("caravan ui -authenticate")


def test_caravan_ui_authenticate_without_a_token_fails(acl_ui: AclUi) -> None:
    done = cli(acl_ui.agent, "ui", "-authenticate", "-show-url")
    assert done.returncode == 1
    assert "Could not get one-time token: " in done.stderr and "ott=" not in done.stdout
