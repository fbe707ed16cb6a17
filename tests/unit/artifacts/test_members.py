"""MemberGuard: our per-entry rules, replayed over the entries of an archive, no I/O."""

from __future__ import annotations

import pytest

from caravan.client.artifacts.errors import GetterError
from caravan.client.artifacts.members import Kind, Limits, MemberGuard

E = tuple[str, Kind, str]  # name, kind, link


def admit_all(entries: list[E], limits: Limits = Limits()) -> MemberGuard:
    guard = MemberGuard(limits)
    for name, kind, link in entries:
        guard.admit(name, kind, size=10, link=link)
    return guard


def refusal(entries: list[E], limits: Limits = Limits()) -> str:
    with pytest.raises(GetterError) as caught:
        admit_all(entries, limits)
    return caught.value.message


@pytest.mark.parametrize("entries", [
    [("./", "dir", ""), ("./bin/", "dir", ""), ("./bin/tool", "file", "")],
    [("lib64/libx.so.1", "file", ""), ("lib64/libx.so", "symlink", "libx.so.1"),
     ("lib", "symlink", "lib64"), ("bin/x", "symlink", "../lib/libx.so")],
    [("a", "file", ""), ("b", "hardlink", "a"), ("c", "hardlink", "./b")],
    [("d/up", "symlink", ".."), ("d/self", "symlink", ".")],
    [("bin/tool", "symlink", "../lib/tool"), ("lib", "symlink", "lib64"),
     ("lib64/tool", "file", "")],  # a later link changes an earlier one, but stays inside
    [("dangling", "symlink", "does/not/exist")],
    [("x", "file", ""), ("x", "file", "")],  # a later regular file replaces an earlier one
])
def test_benign_entries_pass(entries: list[E]) -> None:
    admit_all(entries)


@pytest.mark.parametrize("entries,message", [
    ([("../x", "file", "")], 'archive entry "../x" contains ".." (path traversal)'),
    ([("a/../../x", "file", "")], 'archive entry "a/../../x" contains ".." (path traversal)'),
    ([("/etc/passwd", "file", "")], 'archive entry "/etc/passwd" has an absolute path'),
    ([("a\x00b", "file", "")], 'archive entry "a\\x00b" contains a NUL byte'),
    ([("dev", "special", "")], 'archive entry "dev" is a device, fifo or other special file'),
    ([("", "file", "")], 'archive entry "" has no name'),
    ([("s", "symlink", "/etc")], 'archive entry "s" is a symlink to the absolute path "/etc"'),
    ([("s", "symlink", "")], 'archive entry "s" has an empty or invalid symlink target'),
    ([("s", "symlink", "..")], 'archive entry "s" is a symlink ".." that points outside the '
                               "destination"),
    ([("a/b/s", "symlink", "../../..")], 'archive entry "a/b/s" is a symlink "../../.." that '
                                         "points outside the destination"),
    ([("s", "symlink", "a"), ("s/x", "file", "")], 'archive entry "s/x" goes through the '
                                                   'symlink "s"'),
    ([("f", "file", ""), ("f/x", "file", "")], 'archive entry "f/x" goes through the file "f"'),
    ([("s", "symlink", "a"), ("s", "file", "")], 'archive entry "s" is a second entry for a '
                                                 "path that is a symlink"),
    ([("s", "symlink", "a"), ("s", "symlink", "b")], 'archive entry "s" is a second entry for '
                                                     "a path that is a symlink"),
    ([("f", "file", ""), ("f", "symlink", "g")], 'archive entry "f" replaces an earlier entry '
                                                 "with a symlink"),
    ([("d/f", "file", ""), ("d", "symlink", "..")], 'archive entry "d" replaces an earlier '
                                                    "entry with a symlink"),
    ([("d/up", "symlink", ".."), ("l", "symlink", "d/up/..")],
     'archive entry "l" is a symlink "d/up/.." that points outside the destination'),
    ([("a", "symlink", "b"), ("b", "symlink", "a")],
     'archive entry "b" changes where an earlier symlink points: archive entry "a" is part of '
     "a symlink loop"),
    ([("h", "hardlink", "../x")], 'archive entry "h" is a hard link to "../x", outside the '
                                  "destination"),
    ([("h", "hardlink", "/etc/shadow")], 'archive entry "h" is a hard link to "/etc/shadow", '
                                         "outside the destination"),
    ([("h", "hardlink", "missing")], 'archive entry "h" is a hard link to "missing", not an '
                                     "earlier file"),
    ([("d", "dir", ""), ("h", "hardlink", "d")], 'archive entry "h" is a hard link to "d", not '
                                                 "an earlier file"),
    ([("f", "file", ""), ("s", "symlink", "f"), ("h", "hardlink", "s")],
     'archive entry "h" is a hard link to the symlink "s"'),
    ([("s", "symlink", "d"), ("h", "hardlink", "s/f")], 'archive entry "h" goes through the '
                                                        'symlink "s"'),
])
def test_refused_entries(entries: list[E], message: str) -> None:
    assert refusal(entries) == message


def test_a_later_symlink_cannot_make_an_earlier_one_climb_out() -> None:
    message = refusal([("l", "symlink", "a/b/c/../.."), ("a/b/c", "symlink", "../..")])
    assert message.startswith('archive entry "a/b/c" changes where an earlier symlink points')
    assert 'archive entry "l" is a symlink "a/b/c/../.." that points outside' in message


def test_symlink_chains_are_resolved_link_by_link() -> None:
    admit_all([("a", "symlink", "b/c"), ("b/c", "symlink", "../d"), ("x", "symlink", "a/..")])
    assert "points outside" in refusal([("a", "symlink", "b/c"), ("b/c", "symlink", "../.."),
                                        ("x", "symlink", "a/..")])


def test_count_limit() -> None:
    entries: list[E] = [(f"f{i}", "file", "") for i in range(3)]
    assert admit_all(entries, Limits(max_files=3)).count == 3
    assert refusal([*entries, ("d/", "dir", "")], Limits(max_files=3)) == (
        "archive has more than 3 files (client artifact decompression_file_count_limit)")
    admit_all([("./", "dir", ""), *entries], Limits(max_files=3))  # the root is not counted


def test_size_limit_counts_declared_and_streamed_bytes() -> None:
    guard = MemberGuard(Limits(max_bytes=25))
    guard.admit("a", "file", size=10)
    guard.admit("d", "dir", size=999)  # directories and symlinks carry no data
    guard.admit("b", "file", size=10)
    with pytest.raises(GetterError, match="archive expands beyond 25 bytes"):
        guard.add_bytes(6)
    assert admit_all([("a", "file", "")] * 100, Limits()).total_bytes == 1000
