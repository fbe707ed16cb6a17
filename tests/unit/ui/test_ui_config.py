"""The agent file's `ui { }` block: `enabled = false` answers every /ui/ path with a short
page (and `/` still redirects there); `content_security_policy` replaces the directives
it names and no more; a source that would rewrite the header is refused with its key;
Nomad's `consul`/`vault`/`label` keys load and are reported as ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.applications import Starlette

from caravan.config.agent_file import load_text
from caravan.errors import InvalidInput
from caravan.ui.assets import load
from caravan.ui.routes import CSP, DISABLED, routes
from tests.unit.ui.test_routes import Client, bundle_dir  # noqa: F401 (a fixture)


def client_with(root: Path, hcl: str) -> Client:
    config, _ = load_text(hcl)
    return Client(Starlette(routes=routes(load(root), enabled=config.ui.enabled,
                                          csp=config.ui.content_security_policy.directives())))


@pytest.mark.parametrize("path", ["/ui/", "/ui/jobs", "/ui/assets/main-ABC123.js"])
def test_a_disabled_ui_answers_a_short_page_everywhere(bundle_dir: Path, path: str) -> None:
    reply = client_with(bundle_dir, "ui {\n  enabled = false\n}\n").get(path)
    assert reply.status_code == 200
    assert reply.content == DISABLED
    assert "console.log" not in reply.text and "id=app" not in reply.text
    assert reply.headers["content-security-policy"] == CSP


def test_a_disabled_ui_still_redirects_the_root(bundle_dir: Path) -> None:
    reply = client_with(bundle_dir, "ui {\n  enabled = false\n}\n").get("/")
    assert reply.status_code == 307 and reply.headers["location"] == "/ui/"


def test_the_ui_is_enabled_by_default(bundle_dir: Path) -> None:
    reply = client_with(bundle_dir, "").get("/ui/jobs")
    assert reply.text == "<!doctype html><div id=app></div>"


def test_csp_keys_replace_only_their_directive(bundle_dir: Path) -> None:
    hcl = ('ui {\n  content_security_policy {\n    connect_src = ["\'self\'", '
           '"https://metrics.example.com"]\n    img_src = []\n  }\n}\n')
    reply = client_with(bundle_dir, hcl).get("/ui/")
    directives = dict(d.strip().split(" ", 1) for d in
                      reply.headers["content-security-policy"].split(";"))
    assert directives["connect-src"] == "'self' https://metrics.example.com"
    assert directives["img-src"] == "'self' data:"  # an empty list keeps the default
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'none'"
    assert reply.headers["x-frame-options"] == "DENY"


def test_allowing_frames_drops_the_contradicting_frame_header(bundle_dir: Path) -> None:
    hcl = ('ui {\n  content_security_policy {\n    frame_ancestors = ["https://portal.example"]'
           '\n  }\n}\n')
    reply = client_with(bundle_dir, hcl).get("/ui/")
    assert "frame-ancestors https://portal.example" in reply.headers["content-security-policy"]
    assert "x-frame-options" not in reply.headers


@pytest.mark.parametrize("source", ["'self'; script-src *", "a,b", "'self' *", "x\ny"])
def test_a_source_that_would_rewrite_the_header_is_refused(source: str) -> None:
    hcl = f'ui {{\n  content_security_policy {{\n    script_src = [{json.dumps(source)}]\n  }}\n}}\n'
    with pytest.raises(InvalidInput) as err:
        load_text(hcl)
    assert "ui.content_security_policy.script_src" in str(err.value)
    assert "not a CSP source" in str(err.value)


def test_an_unknown_ui_key_is_an_error_and_nomads_extras_are_ignored() -> None:
    config, ignored = load_text('ui {\n  enabled = true\n  label { text = "prod" }\n'
                                '  consul { ui_url = "http://c" }\n}\n')
    assert config.ui.enabled and set(ignored) == {"ui.label", "ui.consul"}
    with pytest.raises(InvalidInput) as err:
        load_text("ui {\n  enabeld = false\n}\n")
    assert "ui.enabeld" in str(err.value) and ":2:" in str(err.value)
