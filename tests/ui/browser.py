"""Headless Chromium for the UI tests: Debian's /usr/bin/chromium driven by Playwright
(never a browser Playwright downloads), one context per test, and a screenshot of every
test's last page under SCREENSHOTS (kept by CI as artifacts; the README names the folder).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("CARAVAN_UI_SCREENSHOTS", REPO / "artifacts" / "ui-screenshots"))
STATIC = REPO / "caravan" / "ui" / "static" / "index.html"
WAIT_MS = 30_000


def require_built_ui() -> None:
    if not STATIC.is_file():
        raise AssertionError(f"the web UI is not built ({STATIC} is missing): run scripts/setup")


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium; as root it needs --no-sandbox (its sandbox refuses root)."""
    if not os.access(CHROMIUM, os.X_OK):
        raise AssertionError(f"{CHROMIUM} is missing: scripts/setup installs Debian's chromium")
    require_built_ui()
    expect.set_options(timeout=WAIT_MS)  # a loaded CI machine is slower than expect's 5 s
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def page_of(browser: Browser, base_url: str, name: str) -> Iterator[Page]:
    """A fresh page (own local storage) on `base_url`; on exit its screenshot is saved as
    SCREENSHOTS/<name>.png, whatever the test's outcome."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        yield page
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)
        context.close()
    # A CSP violation (or any script error) is a failure, not a log line.
    csp = [e for e in errors if "Content Security Policy" in e]
    assert not csp, csp


def snap(page: Page, name: str) -> None:
    """A screenshot of the page as it is now, beside the one page_of takes at the end."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"),
                    full_page=True)


def set_token(page: Page, secret: str) -> None:
    """What a user does: the token page, paste the Secret ID, Set Token."""
    page.goto("/ui/settings/tokens")
    page.fill("#token-secret", secret)
    page.click("#token-save")
    page.wait_for_selector("#token-info")
