"""`caravan alloc fs` against a real agent: listing, -stat, cat, -tail -n/-c, -f, -job, errors."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from tests.agents import CARAVAN
from tests.e2e.cli import caravan
from tests.integration.alloc_fs.fixture import FsAllocs, start

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FsAllocs]:
    yield from start(tmp_path_factory.mktemp("cli-fs"))


def test_lists_the_alloc_dir(fs: FsAllocs) -> None:
    done = caravan(fs.agent, "alloc", "fs", fs.raw[:8])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["Mode", "Size", "Modified", "Time", "Name"]
    names = [line.split()[-1] for line in lines[1:]]
    assert "alloc/" in names and "main/" in names
    assert all(line.startswith("d") for line in lines[1:])


def test_stat_machine_friendly(fs: FsAllocs) -> None:
    done = caravan(fs.agent, "fs", "-H", "-stat", fs.raw, "main/local/hello.txt")
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()
    assert header.split() == ["Mode", "Size", "Modified", "Time", "Content", "Type", "Name"]
    cells = row.split()
    assert cells[0] == "-rw-r--r--" and cells[1] == "16" and cells[-1] == "hello.txt"


def test_cat_and_tail(fs: FsAllocs) -> None:
    cat = caravan(fs.agent, "alloc", "fs", fs.web, "main/local/hello.txt")
    assert cat.returncode == 0 and cat.stdout == "hello from main\n"
    tail = caravan(fs.agent, "alloc", "fs", "-tail", "-c", "5", fs.web, "main/local/hello.txt")
    assert tail.stdout == "main\n"
    ticks = caravan(fs.agent, "alloc", "fs", "-tail", "-n", "2", fs.web, "alloc/ticks.main")
    assert ticks.returncode == 0 and len(ticks.stdout.splitlines()) == 2
    assert ticks.stdout.startswith("tick-")


def test_job_picks_an_allocation(fs: FsAllocs) -> None:
    done = caravan(fs.agent, "alloc", "fs", "-job", "raw", "main/local/hello.txt")
    assert done.returncode == 0 and done.stdout == "hello from main\n"


def test_follow_prints_new_lines(fs: FsAllocs) -> None:
    with subprocess.Popen([CARAVAN, "alloc", "fs", "-f", "-tail", "-n", "1", fs.raw,
                           "alloc/ticks.main"], env=fs.agent.env, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as proc:
        try:
            assert proc.stdout is not None
            first, second = proc.stdout.readline(), proc.stdout.readline()
            assert first.startswith("tick-") and second.startswith("tick-")
            assert int(second.split("-")[1]) == int(first.split("-")[1]) + 1
        finally:
            proc.terminate()
            proc.wait(10)


@pytest.mark.parametrize(("path", "message"), [
    ("main/secrets/token", "Reading secret file prohibited"),
    ("main/local/shadow", "symlink"),
    ("main/local/nope", "no such file or directory"),
])
def test_errors_exit_non_zero(fs: FsAllocs, path: str, message: str) -> None:
    done = caravan(fs.agent, "alloc", "fs", fs.web, path)
    assert done.returncode == 1
    assert message in done.stderr and done.stdout == ""


def test_usage_errors(fs: FsAllocs) -> None:
    done = caravan(fs.agent, "alloc", "fs")
    assert done.returncode == 1 and "An allocation ID is required" in done.stderr
    both = caravan(fs.agent, "alloc", "fs", "-tail", "-n", "1", "-c", "1", fs.web,
                   "main/local/hello.txt")
    assert both.returncode == 1 and "Both -n and -c are not allowed" in both.stderr
