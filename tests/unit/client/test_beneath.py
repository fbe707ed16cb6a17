"""caravan.client.beneath: every operation stays beneath its root and follows no link,
with openat2 and with the O_NOFOLLOW walk."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from caravan.client.beneath import PathRefused, Root, openat2_available, split_relative


@pytest.fixture(params=[True, False], ids=["openat2", "walk"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Root]:
    if request.param and not openat2_available():
        pytest.skip("this kernel has no openat2")
    (tmp_path / "root").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_text("host secret")
    with Root.open(tmp_path / "root", openat2=request.param) as r:
        yield r


def _outside(root: Root) -> Path:
    return Path(root.path).parent / "outside"


@pytest.mark.parametrize(("path", "parts"), [
    ("a/b", ["a", "b"]), ("a//b/./c/", ["a", "b", "c"]), ("", []), (".", []),
])
def test_split_relative(path: str, parts: list[str]) -> None:
    assert split_relative(path) == parts


@pytest.mark.parametrize("path", ["/etc", "a/../b", "..", "a/\x00"])
def test_split_relative_refuses_escapes(path: str) -> None:
    with pytest.raises(PathRefused):
        split_relative(path)


def test_files_and_dirs_round_trip(root: Root) -> None:
    with root.opendir("a/b", create=True, mode=0o711) as sub:
        fd = sub.open_file("f", os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, b"hello")
        os.close(fd)
    assert stat.S_IMODE(root.lstat("a/b").st_mode) == 0o711
    with root.reader("a/b/f") as f:
        assert f.read() == b"hello"
    root.chmod("a/b/f", 0o640)
    assert stat.S_IMODE(root.lstat("a/b/f").st_mode) == 0o640
    root.rename("a/b/f", "a/g")
    assert sorted(root.listdir("a")) == ["b", "g"]
    root.ensure_dir("a/b", 0o1777)
    assert stat.S_IMODE(root.lstat("a/b").st_mode) == 0o1777
    root.remove_tree("a")
    assert root.listdir() == []


@pytest.mark.parametrize("where", ["dir", "leaf"])
def test_symlinks_are_never_followed(root: Root, where: str) -> None:
    outside = _outside(root)
    if where == "dir":
        os.symlink(outside, Path(root.path) / "d")
        rel = "d/secret"
    else:
        os.symlink(outside / "secret", Path(root.path) / "secret")
        rel = "secret"
    for attempt in (lambda: root.reader(rel), lambda: root.chmod(rel, 0o777),
                    lambda: root.open_file(rel, os.O_WRONLY | os.O_CREAT | os.O_APPEND)):
        with pytest.raises(PathRefused) as caught:
            attempt()
        assert caught.value.errno == errno.ELOOP
    assert (outside / "secret").read_text() == "host secret"
    assert stat.S_IMODE((outside / "secret").stat().st_mode) != 0o777


def test_a_dangling_symlink_is_not_created_through(root: Root) -> None:
    target = _outside(root) / "created"
    os.symlink(target, Path(root.path) / "log.0")
    with pytest.raises(PathRefused):
        root.open_file("log.0", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    assert not target.exists()


def test_ensure_dir_refuses_a_symlink_in_its_place(root: Root) -> None:
    os.symlink(_outside(root), Path(root.path) / "local")
    with pytest.raises(PathRefused):
        root.ensure_dir("local", 0o777)
    assert stat.S_IMODE(_outside(root).stat().st_mode) != 0o777


def test_special_and_hard_linked_files_are_refused(root: Root) -> None:
    os.mkfifo(Path(root.path) / "fifo")
    with pytest.raises(PathRefused, match="not a regular file"):
        root.open_file("fifo", os.O_RDONLY)  # would block forever if it were opened
    os.link(_outside(root) / "secret", Path(root.path) / "hard")
    with pytest.raises(PathRefused, match="hard link"):
        root.reader("hard")
    fd = root.open_file("hard", os.O_RDONLY, hardlinks=True)
    assert os.read(fd, 100) == b"host secret"
    os.close(fd)


def test_chown_and_unlink_act_on_the_link_itself(root: Root) -> None:
    secret = _outside(root) / "secret"
    os.symlink(secret, Path(root.path) / "link")
    before = secret.stat()
    root.chown("link", 65534, 65534)
    assert (secret.stat().st_uid, secret.stat().st_gid) == (before.st_uid, before.st_gid)
    assert stat.S_ISLNK(root.lstat("link").st_mode)
    root.unlink("link")
    assert secret.exists() and root.listdir() == []


def test_remove_tree_never_follows_and_survives_any_depth(root: Root) -> None:
    base = Path(root.path) / "t"
    deep = base
    for _ in range(300):  # deeper than the directories it may hold open
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "f").write_text("x")
    os.symlink(_outside(root), base / "escape")
    os.symlink(_outside(root), deep / "escape")
    root.remove_tree("t")
    root.remove_tree("t")  # already gone: fine
    assert root.listdir() == []
    assert (_outside(root) / "secret").read_text() == "host secret"
