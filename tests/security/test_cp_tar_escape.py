"""`caravan alloc cp` out of a task unpacks, on the user's machine, a tar that a hostile
node (or agent) may have shaped: kubectl cp's CVE-2019-1002101 (a symlink, then a file
written through it), CVE-2019-11246 and CVE-2019-11249 (`..` and links out of the
destination). The local unpack refuses the whole stream and writes nothing. (The same
rules guard a tar copied into a task: tests/integration/alloc_cp/test_tar_escape.py.)"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from caravan.tarcopy import TarRefused, unpack
from tests.integration.alloc_cp.tars import BIG_FIRST, ESCAPES, Member, build


def _listing(root: Path) -> set[str]:
    return {str(Path(d, n).relative_to(root)) for d, dirs, files in os.walk(root)
            for n in dirs + files}


@pytest.mark.parametrize(("case", "members", "reason"), ESCAPES, ids=[e[0] for e in ESCAPES])
def test_cve_2019_1002101_11246_11249_local_unpack_refuses_escapes(
        tmp_path: Path, case: str, members: list[Member], reason: bytes) -> None:
    home = tmp_path / "home"
    dest = home / "dest"
    dest.mkdir(parents=True)
    (home / "victim").write_text("mine")
    before = _listing(tmp_path)
    with pytest.raises(TarRefused, match=re.escape(reason.decode())):
        unpack(io.BytesIO(build(BIG_FIRST, *[_rebase(m) for m in members])), str(dest))
    assert _listing(tmp_path) == before
    assert (home / "victim").read_text() == "mine"


def _rebase(member: Member) -> Member:
    """The task-side cases name `/local`; here the absolute target is the test's dir."""
    kind, name, payload, mode = member
    if name.startswith("/local"):
        name = "/tmp/caravan-cp-escape-" + name.rsplit("/", 1)[-1]
    return kind, name, payload, mode


def test_cve_2019_1002101_symlink_then_file_through_it(tmp_path: Path) -> None:
    (tmp_path / "dest").mkdir()
    tar = build(("sym", "x", "sub", 0o777), ("dir", "sub", b"", 0o755),
                ("file", "x/../../../outside", b"pwned", 0o644))
    with pytest.raises(TarRefused):
        unpack(io.BytesIO(tar), str(tmp_path / "dest"))
    assert _listing(tmp_path) == {"dest"}
    assert not Path("/tmp/caravan-cp-escape-escaped-abs").exists()


def test_a_clean_tree_unpacks_with_relative_links_kept(tmp_path: Path) -> None:
    tar = build(("dir", "t", b"", 0o750), ("file", "t/a", b"A", 0o600),
                ("sym", "t/l", "a", 0o777), ("hard", "t/h", "t/a", 0o600))
    unpack(io.BytesIO(tar), str(tmp_path / "out"))
    out = tmp_path / "out"
    assert (out / "a").read_bytes() == b"A" and os.readlink(out / "l") == "a"
    assert (out / "h").stat().st_ino == (out / "a").stat().st_ino
    assert out.stat().st_mode & 0o777 == 0o750
