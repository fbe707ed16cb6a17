"""CVE-2022-24683: alloc fs followed a symlink a task planted, out of its alloc dir.

The tasks (exec as nobody, raw_exec) plant `local/shadow` -> /etc/shadow, a relative
`local/up` -> ../../../../../../../../etc/shadow and `local/root` -> /. No route may
return a byte of what such a link points to; the control file stays readable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.alloc_fs.fixture import FsAllocs, start

pytestmark = pytest.mark.integration
SHADOW = Path("/etc/shadow").read_bytes()
READS = [("cat", {}), ("readat", {"offset": "0"}), ("stream", {"follow": "false"})]


@pytest.fixture(scope="module")
def fs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FsAllocs]:
    yield from start(tmp_path_factory.mktemp("cve-2022-24683"))


def _allocs(fs: FsAllocs) -> list[str]:
    return [fs.web, fs.raw]


@pytest.mark.parametrize(("route", "params"), READS)
@pytest.mark.parametrize("link", ["main/local/shadow", "main/local/up",
                                  "main/local/root/etc/shadow"])
def test_planted_link_is_not_read(fs: FsAllocs, route: str, params: dict[str, str],
                                  link: str) -> None:
    for alloc in _allocs(fs):
        assert fs.get(route, alloc, path="main/local/hello.txt", **params).status_code == 200
        r = fs.get(route, alloc, path=link, **params)
        assert r.status_code == 400, r.text
        assert "symlink" in r.text
        assert SHADOW[:20] not in r.content


def test_listing_through_a_directory_link_is_refused(fs: FsAllocs) -> None:
    for alloc in _allocs(fs):
        r = fs.get("ls", alloc, path="main/local/root/etc")
        assert r.status_code == 400, r.text
        assert "shadow" not in r.text


def test_stat_reports_the_link_not_its_target(fs: FsAllocs) -> None:
    shadow_size = len(SHADOW)
    for alloc in _allocs(fs):
        info = fs.get("stat", alloc, path="main/local/shadow").json()
        assert info["FileMode"].startswith("L")
        assert info["Size"] == len("/etc/shadow") != shadow_size
