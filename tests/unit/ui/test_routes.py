"""The UI's HTTP side on a bundle made here: redirects, the page shell for deep links,
hashed assets with a year's caching and their MIME types, the CSP on every answer, and a
clear 503 when the UI was not built."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from caravan.ui.assets import NOT_BUILT, load
from caravan.ui.routes import CSP, routes


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=app></div>")
    (tmp_path / "assets" / "main-ABC123.js").write_text("console.log(1);\n" * 200)
    (tmp_path / "assets" / "main-DEF456.css").write_text("body{}")
    (tmp_path / "assets" / "notes.txt").write_text("not a served type")
    return tmp_path


class Client:
    """Requests straight into the ASGI app (no socket, no server)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                         base_url="http://agent") as client:
                return await client.get(path, headers=headers)
        return asyncio.run(go())


def client_for(root: Path) -> Client:
    return Client(Starlette(routes=routes(load(root))))


def test_root_and_bare_ui_redirect_to_ui(bundle_dir: Path) -> None:
    client = client_for(bundle_dir)
    for path in ("/", "/ui"):
        reply = client.get(path)
        assert reply.status_code == 307
        assert reply.headers["location"] == "/ui/"


@pytest.mark.parametrize("path", ["/ui/", "/ui/jobs/web@team-a", "/ui/allocations/abc/exec/t"])
def test_every_page_path_answers_the_shell_uncached(bundle_dir: Path, path: str) -> None:
    reply = client_for(bundle_dir).get(path)
    assert reply.status_code == 200
    assert reply.text == "<!doctype html><div id=app></div>"
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reply.headers["cache-control"] == "no-cache"
    assert reply.headers["content-security-policy"] == CSP


def test_hashed_assets_are_immutable_with_their_mime_type(bundle_dir: Path) -> None:
    client = client_for(bundle_dir)
    js = client.get("/ui/assets/main-ABC123.js", headers={"Accept-Encoding": "identity"})
    assert js.headers.get("content-encoding") is None
    assert js.text == "console.log(1);\n" * 200
    assert js.status_code == 200
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert js.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert js.headers["x-content-type-options"] == "nosniff"
    css = client.get("/ui/assets/main-DEF456.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    again = client.get("/ui/assets/main-ABC123.js", headers={"If-None-Match": js.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("name", ["missing.js", "notes.txt", "%2e%2e", "main-ABC123.js.map"])
def test_unknown_assets_are_404_never_a_file_elsewhere(bundle_dir: Path, name: str) -> None:
    reply = client_for(bundle_dir).get(f"/ui/assets/{name}")
    assert reply.status_code == 404
    assert reply.headers["content-security-policy"] == CSP


def test_assets_are_gzipped_for_browsers_that_accept_it(bundle_dir: Path) -> None:
    js = client_for(bundle_dir).get("/ui/assets/main-ABC123.js",
                                    headers={"Accept-Encoding": "gzip, deflate"})
    assert js.headers["content-encoding"] == "gzip"
    assert js.headers["vary"] == "Accept-Encoding"
    assert js.text == "console.log(1);\n" * 200  # httpx decompressed it
    assert int(js.headers["content-length"]) < len(js.text)


def test_a_path_through_dot_dot_is_the_shell_not_a_file(bundle_dir: Path) -> None:
    reply = client_for(bundle_dir).get("/ui/assets/..%2F..%2Findex.html")
    assert reply.headers["cache-control"] == "no-cache"  # the shell, by the catch-all
    assert reply.text == "<!doctype html><div id=app></div>"


def test_csp_allows_only_the_agents_own_origin() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"  # no inline or foreign scripts
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert all("http" not in v and "*" not in v for v in directives.values())


def test_an_unbuilt_ui_says_how_to_build_it(tmp_path: Path) -> None:
    reply = client_for(tmp_path).get("/ui/")
    assert reply.status_code == 503
    assert reply.text == NOT_BUILT
    assert "scripts/setup" in reply.text
