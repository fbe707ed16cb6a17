"""`alloc exec -all`'s output: whole prefixed lines, the exit-code table, the exit status."""

from __future__ import annotations

import os

from caravan.cli.alloc_exec_all import LineWriter, Outcome, Target, exit_status, summary
from caravan.structs import Allocation


def _read_all(fd: int) -> bytes:
    out = b""
    while chunk := os.read(fd, 65536):
        out += chunk
    return out


def test_lines_come_out_whole_with_their_prefix_across_chunks() -> None:
    read, write = os.pipe()
    writer = LineWriter(write, b"3f2a1b9c main | ")
    for chunk in (b"par", b"tial\nsecond\nthi", b"rd"):
        writer.feed(chunk)
    writer.flush()
    writer.flush()  # nothing left: writes nothing more
    os.close(write)
    assert _read_all(read) == (b"3f2a1b9c main | partial\n3f2a1b9c main | second\n"
                               b"3f2a1b9c main | third\n")
    os.close(read)


def test_no_prefix_keeps_lines_as_they_are() -> None:
    read, write = os.pipe()
    writer = LineWriter(write, b"")
    writer.feed(b"a\n\nb")
    writer.flush()
    os.close(write)
    assert _read_all(read) == b"a\n\nb\n"
    os.close(read)


def _alloc(alloc_id: str) -> Allocation:
    return Allocation.model_validate({"ID": alloc_id, "TaskGroup": "g"})


def test_summary_and_exit_status() -> None:
    ok = Outcome(Target(_alloc("3f2a1b9c-0000"), "main"), 0)
    failed = Outcome(Target(_alloc("47c852c0-0000"), "main"), 7)
    broken = Outcome(Target(_alloc("8350186c-0000"), "main"), None, "task not running")
    assert summary([ok, failed, broken]).splitlines() == [
        "Alloc ID  Task  Exit Code  Error",
        "3f2a1b9c  main  0          -",
        "47c852c0  main  7          -",
        "8350186c  main  -          task not running"]
    assert exit_status([ok, ok]) == 0
    assert exit_status([ok, failed]) == 1
    assert exit_status([ok, broken]) == 1
    assert exit_status([]) == 1
