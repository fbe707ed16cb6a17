"""A tar copied into a task that tries to escape its destination (kubectl cp's
CVE-2019-1002101, CVE-2019-11246 and CVE-2019-11249, reversed: here the task is the
target) is refused whole: the copy exits 1 naming the member, and nothing is written,
not even the valid members before it. Both an exec task and a raw_exec task, where an
escape would reach the host as the task's user."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.integration.alloc_cp.conftest import Allocs, upload
from tests.integration.alloc_cp.tars import BIG_FIRST, ESCAPES, Member, build

pytestmark = pytest.mark.integration


def _listing(root: Path) -> set[str]:
    return {str(Path(d, n).relative_to(root)) for d, dirs, files in os.walk(root)
            for n in dirs + files}


@pytest.mark.parametrize("kind", ["exec", "raw_exec"])
@pytest.mark.parametrize(("case", "members", "reason"), ESCAPES, ids=[e[0] for e in ESCAPES])
def test_an_escaping_tar_is_refused_and_writes_nothing(
        allocs: Allocs, kind: str, case: str, members: list[Member], reason: bytes) -> None:
    alloc = allocs.web if kind == "exec" else allocs.raw
    local = allocs.task_dir(alloc) / "local"
    dest = local / f"dest-{case}"
    dest.mkdir()
    (local / "victim").write_text("the task's own file")
    for path in (dest, local / "victim"):
        os.chown(path, 65534, 65534)
    before = _listing(local)

    code, stderr = upload(allocs.agent, alloc["ID"], f"local/dest-{case}",
                          build(BIG_FIRST, *members))
    assert code == 1, stderr
    assert reason in stderr
    assert _listing(local) == before  # no member, no staging dir left behind
    assert (local / "victim").read_text() == "the task's own file"
