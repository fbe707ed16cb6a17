"""`caravan ui`: which UI path an object opens, and when a browser may be started."""

from __future__ import annotations

import pytest

from caravan.cli.ui import can_open_browser, page_path


def test_page_paths_follow_nomads_ui() -> None:
    assert page_path("jobs", "web", None) == "/ui/jobs/web"
    assert page_path("jobs", "web", "team-a") == "/ui/jobs/web@team-a"
    assert page_path("jobs", "a/b", None) == "/ui/jobs/a%2Fb"
    assert page_path("allocs", "eb17e557-aaaa", "team-a") == "/ui/allocations/eb17e557-aaaa"
    assert page_path("nodes", "9f1c", None) == "/ui/clients/9f1c"


def test_no_browser_without_a_graphical_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert can_open_browser() is False
    monkeypatch.setenv("DISPLAY", ":0")
    assert can_open_browser() is True
