"""Command resolution order (nomad-facts §1.8) and the exec config checks (§1.1, §1.2)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from caravan.client.drivers.base import DriverConfigError
from caravan.client.drivers.decode import decode
from caravan.client.drivers.exec.capabilities import NAMES
from caravan.client.drivers.exec.config import ExecPluginConfig, ExecTaskConfig
from caravan.client.drivers.exec.resolve import Mount, make_executable, resolve_command
from caravan.errors import DriverError


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, list[Mount], list[Mount]]:
    task = tmp_path / "task"
    (task / "local").mkdir(parents=True)
    host_usr_bin = tmp_path / "host" / "usr" / "bin"
    host_usr_bin.mkdir(parents=True)
    (host_usr_bin / "tool").write_text("#!/bin/sh\n")
    (host_usr_bin / "both").write_text("host\n")
    vol = tmp_path / "vol"
    vol.mkdir()
    (vol / "volcmd").write_text("v\n")
    chroot = [Mount(tmp_path / "host" / "usr", PurePosixPath("/usr"), True)]
    volumes = [Mount(vol, PurePosixPath("/data"))]
    return task, chroot, volumes


def test_order_local_then_task_dir_then_volumes_then_path(
        layout: tuple[Path, list[Mount], list[Mount]]) -> None:
    task, chroot, volumes = layout
    assert resolve_command("tool", task, volumes, chroot).in_task == "/usr/bin/tool"
    (task / "both").write_text("task\n")
    assert resolve_command("both", task, volumes, chroot).in_task == "/both"
    (task / "local" / "both").write_text("local\n")
    found = resolve_command("both", task, volumes, chroot)
    assert (found.in_task, found.on_host) == ("/local/both", task / "local" / "both")
    assert resolve_command("/data/volcmd", task, volumes, chroot).in_task == "/data/volcmd"
    assert resolve_command("/usr/bin/tool", task, volumes, chroot).on_host.read_text() \
        .startswith("#!")
    assert resolve_command("local/both", task, volumes, chroot).in_task == "/local/both"


def test_not_found_texts(layout: tuple[Path, list[Mount], list[Mount]]) -> None:
    task, chroot, volumes = layout
    with pytest.raises(DriverError, match=f"file missing not found under path {task}"):
        resolve_command("missing", task, volumes, chroot)
    with pytest.raises(DriverError, match=f"file local/x.sh not found under path {task}"):
        resolve_command("local/x.sh", task, volumes, chroot)


def test_directories_do_not_match(layout: tuple[Path, list[Mount], list[Mount]]) -> None:
    task, chroot, volumes = layout
    (task / "local" / "adir").mkdir()
    with pytest.raises(DriverError):
        resolve_command("adir", task, volumes, chroot)


def test_make_executable_only_inside_the_task_dir(tmp_path: Path) -> None:
    task = tmp_path / "task"
    task.mkdir()
    inside = task / "run.sh"
    inside.write_text("#!/bin/sh\n")
    inside.chmod(0o600)
    make_executable(inside, task)
    assert inside.stat().st_mode & 0o777 == 0o755
    outside = tmp_path / "host-file"
    outside.write_text("x")
    outside.chmod(0o600)
    make_executable(outside, task)
    assert outside.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("field,value,message", [
    ("pid_mode", "shared", 'pid_mode must be "private" or "host", got "shared"'),
    ("ipc_mode", "x", 'ipc_mode must be "private" or "host", got "x"'),
    ("work_dir", "rel/dir", 'work_dir must be absolute but got relative path "rel/dir"'),
])
def test_task_config_value_errors(field: str, value: str, message: str) -> None:
    config = ExecTaskConfig(command="x", **{field: value})
    with pytest.raises(DriverError) as info:
        config.validate_values()
    assert str(info.value) == f"failed driver config validation: {message}"


def test_task_config_decoding_errors() -> None:
    with pytest.raises(DriverConfigError, match='argument named "comand"'):
        decode(ExecTaskConfig, {"comand": "x"})
    with pytest.raises(DriverConfigError, match='"command" is required'):
        decode(ExecTaskConfig, {"args": []})


def test_plugin_config_defaults_and_errors() -> None:
    supported = frozenset(NAMES)
    config = ExecPluginConfig.parse({}, supported)
    assert config.default_pid_mode == "private" and len(config.allow_caps) == 13
    with pytest.raises(DriverError, match='default_ipc_mode must be "private" or "host"'):
        ExecPluginConfig.parse({"default_ipc_mode": "shared"}, supported)
    with pytest.raises(DriverError, match="allow_caps configured with capabilities not"):
        ExecPluginConfig.parse({"allow_caps": ["bogus"]}, supported)
