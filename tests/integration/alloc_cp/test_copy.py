"""`caravan alloc cp` both ways into an exec task (its container) and a raw_exec task (the
host), through the CLI as a user runs it: a 100 MiB file and a tree keep their bytes and
modes, what lands in the task belongs to the task's user, `-` is a tar stream."""

from __future__ import annotations

import io
import pwd
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.integration.alloc_cp.conftest import Allocs, cli
from tests.integration.alloc_cp.helpers import big_file, make_tree, manifest, owners, sha256

pytestmark = pytest.mark.integration

NOBODY = pwd.getpwnam("nobody")
TASK_USER = (NOBODY.pw_uid, NOBODY.pw_gid)


def _alloc(allocs: Allocs, kind: str) -> dict[str, Any]:
    return allocs.web if kind == "exec" else allocs.raw


def _ok(result: Any) -> None:
    assert result.returncode == 0, result.stderr.decode()


def test_a_100_mib_file_both_ways(allocs: Allocs, tmp_path: Path) -> None:
    alloc = allocs.web
    source = big_file(tmp_path / "big.bin", 100)
    _ok(cli(allocs.agent, str(source), f"{alloc['ID']}:local/"))
    landed = allocs.task_dir(alloc) / "local" / "big.bin"
    assert sha256(landed) == sha256(source)
    assert landed.stat().st_mode & 0o7777 == 0o751
    assert (landed.stat().st_uid, landed.stat().st_gid) == TASK_USER

    back = tmp_path / "back.bin"
    _ok(cli(allocs.agent, f"{alloc['ID']}:local/big.bin", str(back)))
    assert sha256(back) == sha256(source)
    assert back.stat().st_mode & 0o7777 == 0o751


@pytest.mark.parametrize("kind", ["exec", "raw_exec"])
def test_a_directory_tree_both_ways(allocs: Allocs, kind: str, tmp_path: Path) -> None:
    alloc = _alloc(allocs, kind)
    tree = make_tree(tmp_path / f"tree-{kind}")
    _ok(cli(allocs.agent, str(tree), f"{alloc['ID']}:local/"))
    landed = allocs.task_dir(alloc) / "local" / tree.name
    assert manifest(landed) == manifest(tree)
    assert (landed / "run.sh").stat().st_ino == (landed / "sub" / "run-again.sh").stat().st_ino
    assert owners(landed) == {TASK_USER}

    down = tmp_path / "down"  # does not exist: becomes the copied directory
    _ok(cli(allocs.agent, f"{alloc['ID']}:local/{tree.name}", str(down)))
    assert manifest(down) == manifest(tree)
    into = tmp_path / "into"
    into.mkdir()  # exists: the copy lands inside it, as cp -r does
    _ok(cli(allocs.agent, f"{alloc['ID']}:local/{tree.name}", str(into)))
    assert manifest(into / tree.name) == manifest(tree)


@pytest.mark.parametrize("kind", ["exec", "raw_exec"])
def test_dash_is_a_tar_stream_each_way(allocs: Allocs, kind: str, tmp_path: Path) -> None:
    alloc = _alloc(allocs, kind)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data, mode in [("a.txt", b"alpha\n", 0o640), ("d/b.txt", b"beta\n", 0o600)]:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    target = f"stdin-{kind}"
    (tmp_path / "dummy").mkdir()
    _ok(cli(allocs.agent, str(tmp_path / "dummy"), f"{alloc['ID']}:local/{target}"))
    _ok(cli(allocs.agent, "-", f"{alloc['ID']}:local/{target}", stdin=buf.getvalue()))
    landed = allocs.task_dir(alloc) / "local" / target
    assert (landed / "a.txt").read_bytes() == b"alpha\n"
    assert (landed / "a.txt").stat().st_mode & 0o7777 == 0o640
    assert owners(landed) == {TASK_USER}

    out = cli(allocs.agent, f"{alloc['ID']}:local/{target}", "-")
    _ok(out)
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as tar:
        names = {m.name: m for m in tar.getmembers()}
        assert set(names) == {target, f"{target}/a.txt", f"{target}/d", f"{target}/d/b.txt"}
        member = tar.extractfile(names[f"{target}/d/b.txt"])
        assert member is not None and member.read() == b"beta\n"
        assert names[f"{target}/d/b.txt"].mode == 0o600


def test_an_exec_task_copies_in_its_own_view_not_the_hosts(allocs: Allocs,
                                                            tmp_path: Path) -> None:
    alloc = allocs.web["ID"]
    # The host's credential files are masked in the container: nothing of them comes out.
    shadow = cli(allocs.agent, f"{alloc}:/etc/shadow", str(tmp_path / "shadow"))
    assert shadow.returncode == 1 and b"not a file or directory" in shadow.stderr
    assert not (tmp_path / "shadow").exists()
    # The agent's data dir exists on the host, not in the task's view.
    hidden = cli(allocs.agent, f"{alloc}:{allocs.agent.data_dir}", str(tmp_path / "data"))
    assert hidden.returncode == 1 and b"no such file or directory" in hidden.stderr
    # `/` of the task is its task dir: what lands there is visible on the host beneath it.
    (tmp_path / "marker").write_text("x")
    _ok(cli(allocs.agent, str(tmp_path / "marker"), f"{alloc}:/local/marker"))
    assert (allocs.task_dir(allocs.web) / "local" / "marker").read_text() == "x"


def test_a_raw_exec_copy_runs_as_the_task_user_on_the_host(allocs: Allocs,
                                                            tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    probe = Path("/root/caravan-cp-probe")
    try:
        denied = cli(allocs.agent, str(tmp_path / "f"), f"{allocs.raw['ID']}:{probe}")
        assert denied.returncode == 1 and b"Permission denied" in denied.stderr
        assert not probe.exists()  # the agent is root; the task's user (nobody) is not
    finally:
        probe.unlink(missing_ok=True)


def test_clear_errors_and_exit_codes(allocs: Allocs, tmp_path: Path) -> None:
    alloc = allocs.web["ID"]
    missing = cli(allocs.agent, f"{alloc}:local/nope", str(tmp_path / "x"))
    assert missing.returncode == 1
    assert b"local/nope: no such file or directory" in missing.stderr
    both_local = cli(allocs.agent, str(tmp_path), str(tmp_path / "y"))
    assert both_local.returncode == 1 and b"exactly one of" in both_local.stderr
    wrong_task = cli(allocs.agent, "-task", "nope", f"{alloc}:local", str(tmp_path / "z"))
    assert wrong_task.returncode == 1 and b"nope" in wrong_task.stderr
    unknown = cli(allocs.agent, f"{alloc[:8]}ffff:/x", str(tmp_path / "z"))
    assert unknown.returncode == 1 and b"No allocation" in unknown.stderr
    not_tar = cli(allocs.agent, "-", f"{alloc}:local/", stdin=b"this is not a tar" * 100)
    assert not_tar.returncode == 1 and b"not a valid tar stream" in not_tar.stderr
