"""Every agent serves the UI: opened on a client-only agent, it lists the server's jobs
(API calls forwarded) and opens a terminal in an allocation another client runs (relayed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.clusters import RelayCluster, relay_cluster
from tests.ui.browser import page_of
from tests.ui.helpers import open_terminal, wait_screen


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayCluster]:
    with relay_cluster(Path(tmp_path_factory.mktemp("ui-cluster"))) as started:
        yield started


def test_a_client_only_agent_serves_the_ui_and_a_relayed_terminal(
        cluster: RelayCluster, browser: Browser) -> None:
    with page_of(browser, cluster.a.address, "cluster-client-agent") as page:
        page.goto("/")
        expect(page.locator("#jobs")).to_contain_text("far")
        open_terminal(page, cluster.alloc_id)
        page.keyboard.type("echo relayed-$((3*3))\n")
        wait_screen(page, "relayed-9")
