"""Nomad GH-24125: a task's secrets/ dir was readable through alloc fs when spelled
another way. Every spelling is refused with 403 by every route, before any body."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.alloc_fs.fixture import FsAllocs, start

pytestmark = pytest.mark.integration
SPELLINGS = ["main/secrets/token", "/main/secrets/token", "main/SECRETS/token",
             "main/Secrets/token", "main/./secrets/token", "main/../main/secrets/token",
             "main//secrets/token", "alloc/../main/secrets/token", "main/secrets/",
             "main/secrets", "main/secrets/.", "main/private"]
ROUTES = [("cat", {}), ("readat", {"offset": "0"}), ("stream", {"follow": "false"}),
          ("stat", {}), ("ls", {})]


@pytest.fixture(scope="module")
def fs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FsAllocs]:
    yield from start(tmp_path_factory.mktemp("gh-24125"))


@pytest.mark.parametrize(("route", "params"), ROUTES)
def test_secrets_refused_however_spelled(fs: FsAllocs, route: str,
                                         params: dict[str, str]) -> None:
    for alloc in (fs.web, fs.raw):
        control = "main/local" if route == "ls" else "main/local/hello.txt"
        assert fs.get(route, alloc, path=control, **params).status_code == 200
        for spelling in SPELLINGS:
            r = fs.get(route, alloc, path=spelling, **params)
            assert r.status_code == 403, (spelling, r.text)
            assert "prohibited" in r.text
            assert b"s3cret" not in r.content


def test_the_secret_exists_so_the_refusal_is_what_hides_it(fs: FsAllocs) -> None:
    listing = {e["Name"] for e in fs.get("ls", fs.raw, path="main").json()}
    assert "secrets" in listing
