"""A real agent with `ui { enabled = false }` and a CSP override in its file: /ui/ answers
the short "disabled" page (the bundle is not served), `/` still redirects, the API works."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from caravan.ui.routes import DISABLED
from tests.agents import AgentProcess

CONFIG = '''
ui {
  enabled = false
  content_security_policy {
    connect_src = ["'self'", "https://metrics.example.com"]
  }
}
'''


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    proc = AgentProcess(root=tmp_path_factory.mktemp("ui-off"), name="ui-off", client=False,
                        config=CONFIG)
    try:
        yield proc.start(timeout_s=60)
    finally:
        proc.stop()


def test_disabled_ui_is_not_served(agent: AgentProcess) -> None:
    with httpx.Client(base_url=agent.address, timeout=10) as http:
        page = http.get("/ui/jobs")
        root = http.get("/")
        jobs = http.get("/v1/jobs")
    assert page.status_code == 200 and page.content == DISABLED
    assert "connect-src 'self' https://metrics.example.com" in page.headers[
        "content-security-policy"]
    assert root.status_code == 307 and root.headers["location"] == "/ui/"
    assert jobs.status_code == 200 and jobs.json() == []
