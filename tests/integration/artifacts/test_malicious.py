"""Crafted archives served over real HTTP: each is refused with a clear error, nothing
lands in the destination, and nothing outside it changes (the `host` guard compares
the whole tmp dir beside the task dir, /etc, / and pytest's base dir after each)."""

from __future__ import annotations

import asyncio
import os
import stat
import struct
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from caravan.client.artifacts import ArtifactConfig, ArtifactError, fetch_artifact
from tests.integration.artifacts.archives import (
    Entry,
    tar_bytes,
    zeros_tar,
    zip_bomb,
    zip_bytes,
)
from tests.integration.artifacts.conftest import ArtifactServer, HostGuard, artifact

pytestmark = pytest.mark.integration

ETC_TARGET = "caravan-artifact-pwned"
TMP_TARGET = Path("/tmp/caravan-artifact-pwned")
Build = Callable[[HostGuard], tuple[str, bytes]]  # -> (file extension, archive)


def tar(*entries: Entry) -> Build:
    return lambda host: ("tar.gz", tar_bytes(list(entries), "gz"))


def zipped(*entries: Entry) -> Build:
    return lambda host: ("zip", zip_bytes(list(entries)))


def _path_max_chain(host: HostGuard) -> tuple[str, bytes]:
    """The shape of the CVE-2025-4517 exploit: long names and symlinks stacked past
    PATH_MAX so that realpath() stops resolving, then a link out through them."""
    long_dir, steps = "d" * 247, "abcdefghijklmnop"
    entries, path = [], ""
    for step in steps:
        entries.append(Entry(os.path.join(path, long_dir), "dir", mode=0o755))
        entries.append(Entry(os.path.join(path, step), "symlink", link=long_dir))
        path = os.path.join(path, long_dir)
    deep = os.path.join(*steps, "l" * 254)
    entries.append(Entry(deep, "symlink", link="../" * len(steps)))
    entries.append(Entry("escape", "symlink", link=deep + "/../../../../sentinel"))
    entries.append(Entry("escape/pwned", data=b"pwned"))
    return "tar", tar_bytes(entries)


def _sentinel_abs(host: HostGuard) -> tuple[str, bytes]:
    return "tar", tar_bytes([Entry(str(host.sentinel / "abs-pwned"), data=b"pwned")])


def _zip_sentinel_abs(host: HostGuard) -> tuple[str, bytes]:
    return "zip", zip_bytes([Entry(str(host.sentinel / "abs-pwned"), data=b"pwned")])


def _hardlink_abs(host: HostGuard) -> tuple[str, bytes]:
    return "tar", tar_bytes([Entry("hl", "hardlink", link=str(host.sentinel / "victim"))])


def _lying_zip(host: HostGuard) -> tuple[str, bytes]:
    """A zip entry whose headers claim 10 bytes for 64 KiB of data."""
    data = bytearray(zip_bytes([Entry("a", data=b"x" * 65536)]))
    central = data.index(b"PK\x01\x02")
    for offset in (22, central + 24):  # uncompressed size: local header, central directory
        assert struct.unpack_from("<I", data, offset) == (65536,)
        struct.pack_into("<I", data, offset, 10)
    return "zip", bytes(data)


CASES: dict[str, tuple[Build, str]] = {
    "tar traversal": (tar(Entry("../../../sentinel/pwned", data=b"x")), "path traversal"),
    "zip traversal": (zipped(Entry("../../../sentinel/pwned", data=b"x")), "path traversal"),
    "tar absolute path": (_sentinel_abs, "has an absolute path"),
    "zip absolute path": (_zip_sentinel_abs, "has an absolute path"),
    "tar symlink to /etc, then a file through it": (tar(
        Entry("etc", "symlink", link="/etc"), Entry(f"etc/{ETC_TARGET}", data=b"x")),
        'is a symlink to the absolute path "/etc"'),
    "tar relative symlink out, then a file through it": (tar(
        Entry("up", "symlink", link="../../../sentinel"), Entry("up/pwned", data=b"x")),
        "points outside the destination"),
    "zip symlink out, then a file through it": (zipped(
        Entry("up", "symlink", link="../../../sentinel", mode=0o777),
        Entry("up/pwned", data=b"x")), "points outside the destination"),
    "zip symlink to /tmp": (zipped(Entry("t", "symlink", link=str(TMP_TARGET), mode=0o777)),
                            "is a symlink to the absolute path"),
    "tar hard link out": (tar(Entry("hl", "hardlink", link="../../../sentinel/victim")),
                          "is a hard link to"),
    "tar hard link to an absolute path": (_hardlink_abs, "is a hard link to"),
    "tar hard link to a symlink": (tar(
        Entry("f", data=b"x"), Entry("s", "symlink", link="f"), Entry("h", "hardlink", link="s")),
        'is a hard link to the symlink "s"'),
    "tar symlink chain climbing out": (tar(
        Entry("d", "dir", mode=0o755), Entry("d/up", "symlink", link=".."),
        Entry("l", "symlink", link="d/up/.."), Entry("l/sentinel/pwned", data=b"x")),
        "points outside the destination"),
    "tar later symlink redirects an earlier one": (tar(
        Entry("l", "symlink", link="a/b/c/../.."), Entry("a/b", "dir", mode=0o755),
        Entry("a/b/c", "symlink", link="../.."), Entry("l/x", data=b"x")),
        "changes where an earlier symlink points"),
    "tar PATH_MAX symlink chain (CVE-2025-4517 shape)": (_path_max_chain,
                                                         "goes through the symlink"),
    "tar duplicate header for a symlink (CVE-2024-7625)": (tar(
        Entry("sub/f", data=b"inside"), Entry("x", "symlink", link="sub/f"),
        Entry("x", data=b"second header")), "is a second entry for a path that is a symlink"),
    "tar character device": (tar(Entry("null", "chr", mode=0o666)), "special file"),
    "tar block device": (tar(Entry("disk", "blk", mode=0o660)), "special file"),
    "tar fifo": (tar(Entry("pipe", "fifo", mode=0o644)), "special file"),
    "zip character device": (zipped(Entry("null", "chr", mode=0o666)), "special file"),
    "zip fifo": (zipped(Entry("pipe", "fifo", mode=0o644)), "special file"),
    "zip bomb": (lambda host: ("zip", zip_bomb(8 << 20)), "archive expands beyond 1048576"),
    "tar bomb": (lambda host: ("tar.gz", zeros_tar(8 << 20)), "archive expands beyond 1048576"),
    "tar with too many files": (tar(*(Entry(f"f{i}", data=b"x") for i in range(51))),
                                "archive has more than 50 files"),
    "zip with too many files": (zipped(*(Entry(f"f{i}", data=b"x") for i in range(51))),
                                "archive has more than 50 files"),
    "zip whose header lies about the size": (_lying_zip, "error unpacking zip archive: Bad CRC"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malicious_archive_is_refused_and_the_host_untouched(
        case: str, server: ArtifactServer, task_dir: Path, config: ArtifactConfig,
        host: HostGuard) -> None:
    build, expected = CASES[case]
    ext, body = build(host)
    url = server.serve(f"/evil.{ext}", body)
    with pytest.raises(ArtifactError) as caught:
        asyncio.run(fetch_artifact(artifact(url), task_dir, {}, config))
    message = caught.value.message
    assert message.startswith(f'failed to download artifact "{url}": ')
    assert expected in message
    assert list((task_dir / "local").iterdir()) == []  # nothing partial, no staging dir
    assert not (Path("/etc") / ETC_TARGET).exists() and not TMP_TARGET.exists()
    assert (host.sentinel / "victim").read_bytes() == b"do not touch\n"
    assert (host.sentinel / "victim").stat().st_nlink == 1
    host.assert_untouched()


def test_the_malicious_archives_are_what_they_claim(tmp_path: Path) -> None:
    """Guard against vacuous cases: the stdlib without filters really would escape."""
    (tmp_path / "sentinel").mkdir()
    dest = tmp_path / "a" / "b" / "c"
    dest.mkdir(parents=True)
    guard = HostGuard(tmp_path, dest, tmp_path / "sentinel", [])
    build, _ = CASES["tar relative symlink out, then a file through it"]
    archive = tmp_path / "evil.tar.gz"
    archive.write_bytes(build(guard)[1])
    with tarfile.open(archive) as raw:
        raw.extractall(dest, filter="fully_trusted")
    assert (tmp_path / "sentinel" / "pwned").read_bytes() == b"x"


def test_setuid_setgid_and_sticky_bits_are_stripped(server: ArtifactServer, task_dir: Path,
                                                    config: ArtifactConfig,
                                                    host: HostGuard) -> None:
    entries = [Entry("suid", data=b"#!/bin/sh\n", mode=0o4755),
               Entry("sgid", data=b"#!/bin/sh\n", mode=0o2755),
               Entry("sticky", "dir", mode=0o1777),
               Entry("writable", data=b"x", mode=0o666)]
    for ext, body in (("tar", tar_bytes(entries)), ("zip", zip_bytes(entries))):
        url = server.serve(f"/bits.{ext}", body)
        asyncio.run(fetch_artifact(artifact(url, relative_dest=f"local/{ext}"), task_dir, {},
                                   config))
        root = task_dir / "local" / ext
        modes = {name: stat.S_IMODE((root / name).lstat().st_mode)
                 for name in ("suid", "sgid", "sticky", "writable")}
        assert modes == {"suid": 0o755, "sgid": 0o755, "sticky": 0o755, "writable": 0o644}
    host.assert_untouched()


def test_benign_links_inside_the_archive_are_kept(server: ArtifactServer, task_dir: Path,
                                                  config: ArtifactConfig,
                                                  host: HostGuard) -> None:
    """No false positives (Nomad's GH-26608 -> #27465): links that stay inside are fine."""
    entries = [Entry("lib64", "dir", mode=0o755), Entry("lib64/libx.so.1", data=b"lib"),
               Entry("lib64/libx.so", "symlink", link="libx.so.1"),
               Entry("lib", "symlink", link="lib64"),
               Entry("bin/tool", data=b"#!/bin/sh\n", mode=0o755),
               Entry("bin/tool-alias", "hardlink", link="bin/tool"),
               Entry("bin/up", "symlink", link="../lib/libx.so")]
    for ext, body in (("tgz", tar_bytes(entries, "gz")),
                      ("zip", zip_bytes([e for e in entries if e.kind != "hardlink"]))):
        url = server.serve(f"/links.{ext}", body)
        asyncio.run(fetch_artifact(artifact(url, relative_dest=f"local/{ext}"), task_dir, {},
                                   config))
        root = task_dir / "local" / ext
        assert (root / "bin" / "up").read_bytes() == b"lib"
        assert os.readlink(root / "lib") == "lib64"
    tgz = task_dir / "local" / "tgz" / "bin"
    assert (tgz / "tool-alias").stat().st_ino == (tgz / "tool").stat().st_ino
    host.assert_untouched()


def test_a_symlink_left_in_the_destination_is_replaced_not_followed(
        server: ArtifactServer, task_dir: Path, config: ArtifactConfig, host: HostGuard) -> None:
    """A task may leave `local/bin -> /outside` behind; the next fetch must not write there."""
    (task_dir / "local" / "bin").symlink_to(host.sentinel)
    host.take()  # the planted link is part of the starting state
    url = server.serve("/app.zip", zip_bytes([Entry("bin/tool", data=b"new")]))
    asyncio.run(fetch_artifact(artifact(url), task_dir, {}, config))
    local_bin = task_dir / "local" / "bin"
    assert local_bin.is_dir() and not local_bin.is_symlink()
    assert (local_bin / "tool").read_bytes() == b"new"
    host.assert_untouched()


def test_a_destination_through_a_planted_symlink_is_refused(
        server: ArtifactServer, task_dir: Path, config: ArtifactConfig, host: HostGuard) -> None:
    (task_dir / "local" / "out").symlink_to(host.sentinel)
    host.take()
    url = server.serve("/tool", b"bin")
    with pytest.raises(ArtifactError) as caught:
        asyncio.run(fetch_artifact(artifact(url, relative_dest="local/out/x"), task_dir, {},
                                   config))
    assert 'artifact destination "local/out" is not a directory' in caught.value.message
    host.assert_untouched()


@pytest.mark.parametrize("dest", ["../../sentinel", "local/../../..", "${UP}/x"])
def test_a_destination_outside_the_task_dir_is_refused(
        dest: str, server: ArtifactServer, task_dir: Path, config: ArtifactConfig,
        host: HostGuard) -> None:
    url = server.serve("/tool", b"bin")
    with pytest.raises(ArtifactError) as caught:
        asyncio.run(fetch_artifact(artifact(url, relative_dest=dest), task_dir, {"UP": "../.."},
                                   config))
    assert caught.value.message == (f'failed to download artifact "{url}": '
                                    "artifact destination path escapes alloc directory")
    assert server.hits("/tool") == 0
    host.assert_untouched()


def test_alloc_dir_allows_the_shared_dir_but_not_beyond(
        server: ArtifactServer, task_dir: Path, config: ArtifactConfig, host: HostGuard) -> None:
    alloc = task_dir.parent
    url = server.serve("/tool", b"bin")
    asyncio.run(fetch_artifact(artifact(url, relative_dest="../alloc/data"), task_dir, {},
                               config, alloc_dir=alloc))
    assert (alloc / "alloc" / "data" / "tool").read_bytes() == b"bin"
    host.take()  # that write was allowed; from here on nothing may change
    with pytest.raises(ArtifactError):
        asyncio.run(fetch_artifact(artifact(url, relative_dest="../../x"), task_dir, {},
                                   config, alloc_dir=alloc))
    assert not (alloc.parent / "x").exists()


def test_zip_entries_written_by_us_do_not_follow_a_symlink(tmp_path: Path) -> None:
    """The zip writer opens files O_NOFOLLOW: belt and braces behind the guard."""
    assert zipfile.ZipInfo("x").create_system in (0, 3)
    target = tmp_path / "target"
    target.write_bytes(b"keep")
    (tmp_path / "link").symlink_to(target)
    from caravan.client.artifacts.extract import _create
    with pytest.raises(OSError):
        _create(tmp_path / "link", 0o644)
    assert target.read_bytes() == b"keep"
