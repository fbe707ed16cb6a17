"""An exec task's secrets tmpfs gets what the agent placed in `secrets/` before the start
(artifacts with `${NOMAD_SECRETS_DIR}`), and nothing a link could smuggle in: the copy
is done as root, so a symlink or a hard link to a host file must not become readable."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from caravan.client.drivers.exec.secrets import mount_secrets
from caravan.client.drivers.mounts import is_mount_point, unmount

pytestmark = pytest.mark.integration

UID, GID = 65534, 65534


@pytest.fixture
def task_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "alloc" / "web"
    (path / "secrets").mkdir(parents=True)
    try:
        yield path
    finally:
        unmount(path / "secrets")


def test_placed_files_are_copied_into_the_tmpfs_for_the_task_user(task_dir: Path) -> None:
    secrets = task_dir / "secrets"
    (secrets / "conf").mkdir()
    (secrets / "token").write_bytes(b"t0ken\n")
    os.chmod(secrets / "token", 0o640)
    (secrets / "conf" / "app.json").write_bytes(b"{}\n")
    mount_secrets(secrets, 1, UID, GID)
    assert is_mount_point(secrets)
    assert (secrets / "token").read_bytes() == b"t0ken\n"
    info = (secrets / "token").stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (UID, GID, 0o640)
    assert (secrets / "conf" / "app.json").read_bytes() == b"{}\n"
    assert (secrets / "conf").stat().st_uid == UID
    mount_secrets(secrets, 1, UID, GID)  # idempotent: a second call copies nothing again
    assert sorted(os.listdir(secrets)) == ["conf", "token"]


def test_links_below_the_mount_are_not_copied(task_dir: Path, tmp_path: Path) -> None:
    host_file = tmp_path / "host-secret"
    host_file.write_bytes(b"root only\n")
    os.chmod(host_file, 0o600)
    secrets = task_dir / "secrets"
    (secrets / "shadow").symlink_to(host_file)
    os.link(host_file, secrets / "hard")
    (secrets / "dirlink").symlink_to(tmp_path)
    (secrets / "ok").write_bytes(b"ok\n")
    mount_secrets(secrets, 1, UID, GID)
    assert sorted(os.listdir(secrets)) == ["ok"]
    assert host_file.read_bytes() == b"root only\n"
    assert host_file.stat().st_uid == 0 and stat.S_IMODE(host_file.stat().st_mode) == 0o600


def test_a_symlink_in_place_of_secrets_is_refused(task_dir: Path, tmp_path: Path) -> None:
    from caravan.errors import DriverError

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (task_dir / "secrets").rmdir()
    (task_dir / "secrets").symlink_to(elsewhere)
    with pytest.raises(DriverError):
        mount_secrets(task_dir / "secrets", 1, UID, GID)
    assert not is_mount_point(elsewhere)
