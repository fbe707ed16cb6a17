"""raw_exec command lookup and task config decoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.client.drivers.base import DriverConfigError
from caravan.client.drivers.decode import decode
from caravan.client.drivers.raw_exec.command import lookup_command
from caravan.client.drivers.raw_exec.config import RawExecPluginConfig, RawExecTaskConfig
from caravan.errors import DriverError


@pytest.fixture
def task_dir(tmp_path: Path) -> Path:
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "root.sh").write_text("#!/bin/sh\n")
    (tmp_path / "bin").mkdir()
    tool = tmp_path / "bin" / "mytool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    return tmp_path


@pytest.mark.parametrize(("command", "expected"), [
    ("run.sh", "{T}/local/run.sh"),
    ("root.sh", "{T}/root.sh"),
    ("local/run.sh", "{T}/local/run.sh"),
    ("/bin/sh", "/bin/sh"),
    ("mytool", "{T}/bin/mytool"),
])
def test_lookup_order(task_dir: Path, command: str, expected: str) -> None:
    found = lookup_command(task_dir, command, path_env=str(task_dir / "bin"))
    assert found == expected.format(T=task_dir)


@pytest.mark.parametrize("command", ["nope", "/no/such/binary", "sub/nope"])
def test_lookup_failure_message(task_dir: Path, command: str) -> None:
    with pytest.raises(DriverError) as err:
        lookup_command(task_dir, command, path_env="/usr/bin:/bin")
    assert str(err.value) == (
        f'failed to launch command with executor: binary "{command}" could not be found')


def test_task_config_unknown_and_missing_keys() -> None:
    with pytest.raises(DriverConfigError) as err:
        decode(RawExecTaskConfig, {"args": ["x"], "comand": "/bin/sh"})
    assert str(err.value).startswith("failed to parse config: ")
    assert 'The argument "command" is required' in str(err.value)
    assert 'An argument named "comand" is not expected here' in str(err.value)


@pytest.mark.parametrize(("config", "message"), [
    ({"command": "x", "work_dir": "rel/dir"}, "work_dir must be an absolute path"),
    ({"command": "x", "oom_score_adj": -1}, "oom_score_adj must not be negative"),
])
def test_task_config_value_checks(config: dict[str, object], message: str) -> None:
    with pytest.raises(DriverError, match=f"^failed driver config validation: {message}$"):
        decode(RawExecTaskConfig, config).validate_values()


@pytest.mark.parametrize(("raw", "options", "enabled"), [
    ({}, {}, False),
    ({"enabled": True}, {}, True),
    ({}, {"driver.raw_exec.enable": "1"}, True),
    ({}, {"driver.raw_exec.enable": "false"}, False),
])
def test_plugin_enable(raw: dict[str, object], options: dict[str, str], enabled: bool) -> None:
    assert RawExecPluginConfig.parse(raw, options).enabled is enabled
