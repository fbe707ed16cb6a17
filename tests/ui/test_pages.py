"""The UI against a real -dev agent in headless Chromium: the job list follows a job the
CLI submits and stops, an allocation's logs follow new lines, `caravan ui` names the pages,
and the other pages render the agent's objects."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.agents import AgentProcess, wait_until
from tests.ui.browser import page_of, snap
from tests.ui.helpers import TICKER, cli, purge, run_job, running_alloc, submit


@pytest.fixture(scope="module")
def ticker(dev_agent: AgentProcess, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A raw_exec job printing tick-1, tick-2, ... three times a second; its alloc ID."""
    return run_job(dev_agent, tmp_path_factory.mktemp("jobs"), TICKER, "ticker")


def test_job_list_follows_a_job_the_cli_submits_and_stops(
        dev_agent: AgentProcess, browser: Browser, tmp_path: Path) -> None:
    with page_of(browser, dev_agent.address, "jobs-live") as page:
        page.goto("/")  # redirects to /ui/, the job list
        expect(page).to_have_url(f"{dev_agent.address}/ui/")
        page.wait_for_selector("#jobs")
        page.evaluate("window.__notReloaded = true")
        run_job(dev_agent, tmp_path, TICKER, "live")
        row = page.locator("#jobs tr", has_text="live")
        expect(row.locator(".badge")).to_have_text("running")
        expect(row).to_contain_text("running 1")
        stopped = cli(dev_agent, "job", "stop", "-detach", "live")
        assert stopped.returncode == 0, stopped.stderr
        expect(row.locator(".badge")).to_have_text("dead")
        assert page.evaluate("window.__notReloaded") is True  # updated in place, no reload


def test_alloc_logs_follow_new_lines(dev_agent: AgentProcess, browser: Browser,
                                     ticker: str) -> None:
    with page_of(browser, dev_agent.address, "alloc-logs-follow") as page:
        page.goto(f"/ui/allocations/{ticker}")
        expect(page.locator("#tasks")).to_contain_text("running")
        logs = page.locator("#logs")
        expect(logs).to_contain_text("tick-")

        def last_tick() -> int:
            ticks = [int(w[5:]) for w in logs.inner_text().split() if w[5:].isdigit()]
            return max(ticks, default=0)

        first = wait_until(last_tick, what="a tick in the logs")
        wait_until(lambda: last_tick() >= first + 3, what=f"tick-{first + 3} followed")
        expect(page.locator("#events")).to_contain_text("Started")
        expect(page.locator("#stats")).to_contain_text("main")


def test_alloc_file_browser(dev_agent: AgentProcess, browser: Browser, ticker: str) -> None:
    with page_of(browser, dev_agent.address, "alloc-files") as page:
        page.goto(f"/ui/allocations/{ticker}")
        page.locator("#files a.dir", has_text="alloc/").click()
        page.locator("#files a.dir", has_text="logs/").click()
        page.locator("#files a.file", has_text="main.stdout.0").click()
        expect(page.locator("#file-content")).to_contain_text("tick-1")


def test_job_page_nodes_and_evaluations(dev_agent: AgentProcess, browser: Browser,
                                        ticker: str) -> None:
    with page_of(browser, dev_agent.address, "job-page") as page:
        page.goto("/ui/jobs/ticker")
        expect(page.locator("#groups")).to_contain_text("main")
        expect(page.locator("#allocations")).to_contain_text(ticker[:8])
        expect(page.locator("#evaluations")).to_contain_text("job-register")
        expect(page.locator("#versions")).to_contain_text("0")
        snap(page, "job-page-ticker")
        page.locator("#allocations a", has_text=ticker[:8]).click()
        expect(page).to_have_url(f"{dev_agent.address}/ui/allocations/{ticker}")
        page.locator("nav a", has_text="Clients").click()
        expect(page.locator("#nodes")).to_contain_text("raw_exec")
        page.locator("#nodes a").first.click()
        expect(page.locator("#drivers")).to_contain_text("raw_exec")
        snap(page, "node-page")
        expect(page.locator("#allocations")).to_contain_text(ticker[:8])
        page.locator("nav a", has_text="Evaluations").click()
        expect(page.locator("#evaluations")).to_contain_text("ticker")


def test_scale_stop_and_start_from_the_job_page(dev_agent: AgentProcess, browser: Browser,
                                               tmp_path: Path) -> None:
    submit(dev_agent, TICKER % {"id": "scaled"})
    running_alloc(dev_agent, "scaled")
    with page_of(browser, dev_agent.address, "job-scale-stop-start") as page:
        page.goto("/ui/jobs/scaled")
        expect(page.locator("#groups tr", has_text="main")).to_contain_text("1")
        page.fill("#scale-count", "2")
        page.click("#job-scale")
        expect(page.locator("#groups tr", has_text="main")).to_contain_text("2")
        expect(page.locator("#allocations tbody tr")).to_have_count(2)
        expect(page.locator("#versions")).to_contain_text('+/- Count: "1" => "2"')
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#job-stop")
        expect(page.locator(".title .badge")).to_have_text("stopped")
        page.click("#job-start")
        expect(page.locator(".title .badge")).to_have_text("running")
        expect(page.locator("#job-stop")).to_be_visible()
    purge(dev_agent, "scaled")


def test_a_click_does_not_wait_behind_the_pages_blocking_queries(
        dev_agent: AgentProcess, browser: Browser) -> None:
    """The job page keeps six blocking queries open, as many connections as Chromium opens
    to one origin: a click's request must cut them short, not queue for their 30 s wait."""
    # A batch job: no deployment whose health would end the waits by itself.
    submit(dev_agent, (TICKER % {"id": "busy"}).replace(
        'datacenters = ["dc1"]', 'datacenters = ["dc1"]\n  type = "batch"'))
    running_alloc(dev_agent, "busy")
    with page_of(browser, dev_agent.address, "job-busy-connections") as page:
        waiting: set[str] = set()
        page.on("request", lambda r: waiting.add(r.url) if "index=" in r.url else None)
        for done in ("requestfinished", "requestfailed"):
            page.on(done, lambda r: waiting.discard(r.url))
        page.goto("/ui/jobs/busy")
        expect(page.locator("#groups tr", has_text="main")).to_contain_text("1")
        wait_until(lambda: (page.wait_for_timeout(100), len(waiting) >= 6)[1],
                   what="the job page's six blocking queries")
        page.fill("#scale-count", "2")
        with page.expect_response(lambda r: "/scale" in r.url and r.request.method == "POST",
                                  timeout=10_000) as got:
            page.click("#job-scale")
        assert got.value.status == 200
        expect(page.locator("#groups tr", has_text="main")).to_contain_text("2")
    purge(dev_agent, "busy")


def test_placement_failures_in_nomads_words(dev_agent: AgentProcess, browser: Browser) -> None:
    submit(dev_agent, TICKER.replace('datacenters = ["dc1"]', 'datacenters = ["dc1"]\n'
                                     '  constraint {\n    attribute = "${attr.kernel.name}"\n'
                                     '    value     = "plan9"\n  }') % {"id": "nowhere"})
    with page_of(browser, dev_agent.address, "placement-failures") as page:
        page.goto("/ui/jobs/nowhere")
        failures = page.locator("#evaluations .placement", has_text="Task Group").first
        expect(failures).to_contain_text('Task Group "main" (failed to place 1 allocation):')
        expect(failures).to_contain_text(
            'Constraint "${attr.kernel.name} = plan9": 1 nodes excluded by filter')
    purge(dev_agent, "nowhere")


def test_namespace_filter(dev_agent: AgentProcess, browser: Browser) -> None:
    httpx.put(f"{dev_agent.address}/v1/namespace/team-a", json={"Name": "team-a"},
              timeout=30).raise_for_status()
    submit(dev_agent, TICKER.replace('datacenters', 'namespace = "team-a"\n  datacenters')
           % {"id": "other"})
    with page_of(browser, dev_agent.address, "jobs-namespace-filter") as page:
        page.goto("/ui/jobs")
        expect(page.locator("#jobs")).to_contain_text("other")
        page.select_option("#namespace-filter", "default")
        expect(page).to_have_url(f"{dev_agent.address}/ui/jobs?namespace=default")
        expect(page.locator("#jobs")).not_to_contain_text("team-a")
        page.select_option("#namespace-filter", "team-a")
        expect(page.locator("#jobs tbody tr")).to_have_count(1)
        page.locator("#jobs a", has_text="other").click()
        expect(page).to_have_url(f"{dev_agent.address}/ui/jobs/other@team-a")
        expect(page.locator("#groups")).to_contain_text("main")
    purge(dev_agent, "other", "team-a")


def test_caravan_ui_names_the_page_of_an_id(dev_agent: AgentProcess, browser: Browser,
                                            ticker: str) -> None:
    done = cli(dev_agent, "ui", "-show-url", ticker[:8])
    assert done.returncode == 0, done.stderr
    url = f"{dev_agent.address}/ui/allocations/{ticker}"
    assert done.stdout.strip() == f"URL for web UI: {url}"
    unknown = cli(dev_agent, "ui", "-show-url", "no-such-thing")
    assert unknown.returncode == 1
    assert 'Unable to resolve ID: "no-such-thing"' in unknown.stderr
    with page_of(browser, dev_agent.address, "caravan-ui-alloc") as page:
        page.goto(url)
        expect(page.locator("#tasks")).to_contain_text("running")
