"""CVE-2020-27195 and CVE-2024-1329 for templates: the root agent renders into a dir the
task owns, so a template's destination or source must never lead it outside the
allocation dir, whether by `..`, by an absolute path, or by a symlink the task planted
(at the destination itself or at any directory on the way)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from caravan.client.template.files import AllocFiles, TemplatePathError

SECRET = "host secret, never to be replaced"


@pytest.fixture
def alloc(tmp_path: Path) -> AllocFiles:
    for sub in ("alloc", "web/local", "web/secrets"):
        (tmp_path / "a1" / sub).mkdir(parents=True)
    return AllocFiles(tmp_path / "a1", "web")


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "host-only" / "shadow"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def test_a_symlink_planted_at_the_destination_is_replaced_not_followed(alloc, victim):
    dest = alloc.alloc_dir / "web/local/app.conf"
    dest.symlink_to(victim)
    alloc.write(alloc.relative("local/app.conf", "destination"), b"rendered\n", 0o644, -1, -1)
    assert victim.read_text() == SECRET
    assert not dest.is_symlink() and dest.read_text() == "rendered\n"
    assert oct(dest.stat().st_mode & 0o7777) == "0o644"


def test_a_symlinked_directory_on_the_way_is_refused(alloc, victim):
    os.rmdir(alloc.alloc_dir / "web/local")
    (alloc.alloc_dir / "web/local").symlink_to(victim.parent)
    with pytest.raises(OSError):
        alloc.write(alloc.relative("local/shadow", "destination"), b"owned", 0o644, -1, -1)
    assert victim.read_text() == SECRET
    assert sorted(os.listdir(victim.parent)) == ["shadow"]


def test_a_symlinked_source_is_not_read(alloc, victim):
    (alloc.alloc_dir / "web/local/in.tpl").symlink_to(victim)
    with pytest.raises(OSError):
        alloc.read_source(alloc.relative("local/in.tpl", "source"))


@pytest.mark.parametrize("path", ["../../etc/passwd", "local/../../../x", "/etc/passwd", "..",
                                  "../", "../../a1x/y"])
def test_paths_that_leave_the_alloc_dir_are_refused(alloc, path):
    with pytest.raises(TemplatePathError, match="escapes alloc directory"):
        alloc.relative(path, "destination")


def test_paths_inside_the_alloc_dir_are_relative_to_it(alloc):
    assert alloc.relative("local/a", "destination") == "web/local/a"
    assert alloc.relative("../alloc/shared", "destination") == "alloc/shared"
    assert alloc.relative(f"{alloc.alloc_dir}/web/secrets/s", "destination") == "web/secrets/s"
