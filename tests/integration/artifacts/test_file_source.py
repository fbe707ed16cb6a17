"""`file://` sources: host files copied only from directories the client allows."""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
from pathlib import Path

import pytest

from caravan.client.artifacts import ArtifactConfig, ArtifactError, fetch_artifact
from tests.integration.artifacts.archives import benign_archive
from tests.integration.artifacts.conftest import HostGuard, artifact

pytestmark = pytest.mark.integration


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    """The host directory the client allows, with one binary and one archive."""
    path = tmp_path / "shelf"
    path.mkdir()
    (path / "tool").write_bytes(b"#!/bin/sh\necho shelf\n")
    (path / "app.tgz").write_bytes(benign_archive("tgz"))
    return path


def allowing(path: Path) -> ArtifactConfig:
    return ArtifactConfig(allowed_sources=[f"file://{path}/"])


def fetch_error(source: str, task_dir: Path, config: ArtifactConfig) -> ArtifactError:
    with pytest.raises(ArtifactError) as caught:
        asyncio.run(fetch_artifact(artifact(source), task_dir, {}, config))
    return caught.value


def test_file_sources_need_an_allow_list_entry(shelf: Path, task_dir: Path,
                                               host: HostGuard) -> None:
    error = fetch_error(f"file://{shelf}/tool", task_dir, ArtifactConfig())
    assert error.message.endswith("is not allowed by the client's artifact allowed_sources")
    assert error.hint is not None and "file://" in error.hint
    assert list((task_dir / "local").iterdir()) == []
    host.assert_untouched()


def test_an_allowed_file_is_copied_and_checked(shelf: Path, task_dir: Path) -> None:
    data = (shelf / "tool").read_bytes()
    art = artifact(f"file://{shelf}/tool",
                   getter_options={"checksum": "sha1:" + hashlib.sha1(data).hexdigest()})
    asyncio.run(fetch_artifact(art, task_dir, {}, allowing(shelf)))
    target = task_dir / "local" / "tool"
    assert target.read_bytes() == data
    assert stat.S_IMODE(target.stat().st_mode) == 0o755


def test_a_bare_absolute_path_is_a_file_source_and_archives_unpack(
        shelf: Path, task_dir: Path) -> None:
    asyncio.run(fetch_artifact(artifact(str(shelf / "app.tgz")), task_dir, {}, allowing(shelf)))
    assert (task_dir / "local" / "bin" / "tool").exists()


def test_a_symlink_out_of_the_allowed_dir_is_refused(shelf: Path, task_dir: Path,
                                                     tmp_path: Path, host: HostGuard) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"host secret")
    (shelf / "innocent").symlink_to(secret)
    host.take()
    error = fetch_error(f"file://{shelf}/innocent", task_dir, allowing(shelf))
    assert "is not allowed" in error.message
    assert list((task_dir / "local").iterdir()) == []
    host.assert_untouched()


def test_dot_dot_in_a_file_source_is_refused(shelf: Path, task_dir: Path) -> None:
    error = fetch_error(f"file://{shelf}/../secret", task_dir, allowing(shelf))
    assert error.message.endswith('contains ".."')


def test_only_regular_files_are_copied(shelf: Path, task_dir: Path) -> None:
    os.mkfifo(shelf / "pipe")
    (shelf / "sub").mkdir()
    for name in ("pipe", "sub"):
        error = fetch_error(f"file://{shelf}/{name}", task_dir, allowing(shelf))
        assert error.message.endswith("is not a regular file")
