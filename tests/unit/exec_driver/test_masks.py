"""masked_paths: the default list, its checks and glob expansion against chroot binds."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from caravan.client.drivers.exec.capabilities import kernel_supported
from caravan.client.drivers.exec.config import ExecPluginConfig
from caravan.client.drivers.exec.masks import DEFAULT_MASKED_PATHS, expand_masked_paths
from caravan.client.drivers.exec.resolve import Mount
from caravan.errors import DriverError


def test_default_masks_the_password_hashes() -> None:
    config = ExecPluginConfig.parse({}, kernel_supported())
    assert {"/etc/shadow", "/etc/gshadow"} <= set(config.masked_paths)
    assert config.masked_paths == list(DEFAULT_MASKED_PATHS)


@pytest.mark.parametrize("bad", ["etc/shadow", "/etc/../shadow", "/", "", "/etc/\0x"])
def test_masked_paths_must_be_absolute_paths_below_root(bad: str) -> None:
    with pytest.raises(DriverError, match="masked_paths entries must be absolute"):
        ExecPluginConfig.parse({"masked_paths": [bad]}, kernel_supported())


def test_globs_expand_against_the_chroot_bind_that_holds_them(tmp_path: Path) -> None:
    etc = tmp_path / "host-etc[1]"
    (etc / "ssh").mkdir(parents=True)
    for name in ("ssh_host_rsa_key", "ssh_host_rsa_key.pub", "ssh_host_ed25519_key"):
        (etc / "ssh" / name).write_text("k")
    chroot = [Mount(etc, PurePosixPath("/etc"), read_only=True)]
    got = expand_masked_paths(["/etc/shadow", "/etc/ssh/ssh_host_*_key", "/local/*"], chroot)
    assert got == ["/etc/shadow", "/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_rsa_key"]
