"""Log rotation maths: file indexes, what to delete, and where a read starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from caravan.client.drivers.executor.executor import Rotator, expired_indexes, log_index
from caravan.client.beneath import Root
from caravan.client.logs import LogFile, find_closest, find_from_end, list_log_files


@pytest.mark.parametrize(("name", "expected"), [
    ("web.stdout.0", 0), ("web.stdout.12", 12), ("web.stdout.", None), ("web.stdout.x", None),
    ("web.stderr.1", None), ("web.stdout.1.tmp", None), ("api.stdout.1", None),
])
def test_log_index(name: str, expected: int | None) -> None:
    assert log_index(name, "web.stdout.") == expected


@pytest.mark.parametrize(("indexes", "current", "max_files", "expired"), [
    ([0, 1, 2], 2, 3, []),
    ([0, 1, 2, 3], 3, 3, [0]),
    ([3, 4, 5, 6, 7], 7, 2, [3, 4, 5]),
    ([5], 5, 1, []),
])
def test_expired_indexes_keep_the_newest(indexes: list[int], current: int, max_files: int,
                                         expired: list[int]) -> None:
    assert expired_indexes(indexes, current, max_files) == expired


def test_rotator_splits_at_max_size_and_keeps_max_files(tmp_path: Path) -> None:
    rotator = Rotator(str(tmp_path / "web.stdout"), max_files=2, max_size=10)
    rotator.write(b"0123456789abcdefghijKLMNO")
    rotator.close()
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert files == {"web.stdout.1": b"abcdefghij", "web.stdout.2": b"KLMNO"}


def test_rotator_continues_in_the_highest_file(tmp_path: Path) -> None:
    (tmp_path / "web.stdout.0").write_bytes(b"old")
    (tmp_path / "web.stdout.3").write_bytes(b"1234")
    rotator = Rotator(str(tmp_path / "web.stdout"), max_files=10, max_size=6)
    rotator.write(b"567")
    rotator.close()
    assert (tmp_path / "web.stdout.3").read_bytes() == b"123456"
    assert (tmp_path / "web.stdout.4").read_bytes() == b"7"


@pytest.mark.parametrize("plant", ["symlink", "fifo", "hardlink"])
def test_rotator_replaces_what_a_task_planted_under_the_next_name(tmp_path: Path,
                                                                    plant: str) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"host file\n")
    logs = tmp_path / "alloc" / "logs"
    logs.mkdir(parents=True)
    planted = logs / "web.stdout.1"
    rotator = Rotator(str(logs / "web.stdout"), max_files=5, max_size=4)
    {"symlink": lambda: planted.symlink_to(tmp_path / "created"),
     "fifo": lambda: os.mkfifo(planted),
     "hardlink": lambda: os.link(victim, planted)}[plant]()
    rotator.write(b"0123abcd")  # the second half goes to the next file: web.stdout.1
    rotator.close()
    assert planted.read_bytes() == b"abcd" and not planted.is_symlink()
    assert victim.read_bytes() == b"host file\n" and not (tmp_path / "created").exists()


def test_only_regular_log_files_are_listed(tmp_path: Path) -> None:
    logs = tmp_path / "alloc" / "logs"
    logs.mkdir(parents=True)
    (logs / "web.stdout.0").write_bytes(b"ok")
    (logs / "web.stdout.1").symlink_to("/etc/passwd")
    os.mkfifo(logs / "web.stdout.2")
    os.link(logs / "web.stdout.0", tmp_path / "second-name")
    os.link(tmp_path / "second-name", logs / "web.stdout.3")
    with Root.open(logs) as root:
        assert list_log_files(root, "web", "stdout") == []  # 0 and 3 are one file, twice
    (tmp_path / "second-name").unlink()
    (logs / "web.stdout.3").unlink()
    with Root.open(logs) as root:
        assert list_log_files(root, "web", "stdout") == [LogFile(0, 2)]


FILES = [LogFile(0, 10), LogFile(1, 10), LogFile(2, 4)]


@pytest.mark.parametrize(("index", "offset", "expected"), [
    (0, 0, (0, 0)),
    (0, 7, (0, 7)),
    (0, 10, (0, 10)),
    (0, 15, (1, 5)),
    (0, 24, (2, 4)),
    (0, 100, (2, 4)),
    (1, 0, (1, 0)),
    (3, 0, (2, 0)),
])
def test_find_closest(index: int, offset: int, expected: tuple[int, int]) -> None:
    assert find_closest(FILES, index, offset) == expected


@pytest.mark.parametrize(("back", "expected"), [
    (0, (2, 4)),  # the current end
    (3, (2, 1)),
    (4, (2, 0)),
    (6, (1, 8)),
    (14, (1, 0)),
    (100, (0, 0)),
])
def test_find_from_end(back: int, expected: tuple[int, int]) -> None:
    assert find_from_end(FILES, back) == expected
