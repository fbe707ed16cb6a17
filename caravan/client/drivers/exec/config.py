"""exec's two configs: the agent's `plugin "exec"` block and a task's `config` block."""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from caravan.client.drivers.decode import decode
from caravan.client.drivers.exec.capabilities import DEFAULTS, normalize
from caravan.client.drivers.exec.masks import DEFAULT_MASKED_PATHS, check_masked_paths
from caravan.errors import DriverError

_MODES = ("private", "host")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExecPluginConfig(_Strict):
    allow_caps: list[str] = Field(default_factory=lambda: sorted(DEFAULTS))
    default_pid_mode: str = "private"
    default_ipc_mode: str = "private"
    no_pivot_root: bool = False
    denied_host_uids: str | None = None
    denied_host_gids: str | None = None
    # caravan's own: paths inside every task bound over by /dev/null or an empty dir
    # (masks.py says why these); a list here replaces the default.
    masked_paths: list[str] = Field(default_factory=lambda: list(DEFAULT_MASKED_PATHS))
    # caravan's own: a pids limit per task (Nomad sets none; a fork bomb should stay inside).
    pids_limit: int = 4096
    # caravan's own: users `alloc exec -u` may run as (client/drivers/exec_user.py).
    allow_exec_users: list[str] = Field(default_factory=list)
    # caravan's own: the runc binary (found on PATH when empty).
    runc_path: str = ""

    @classmethod
    def parse(cls, raw: dict[str, Any], supported: frozenset[str]) -> ExecPluginConfig:
        config = decode(cls, raw, "invalid exec plugin config: ")
        for name, value in (("default_pid_mode", config.default_pid_mode),
                            ("default_ipc_mode", config.default_ipc_mode)):
            if value not in _MODES:
                raise DriverError(f'{name} must be "private" or "host", got "{value}"')
        normalize(config.allow_caps, supported, "allow_caps")
        check_masked_paths(config.masked_paths)
        return config


class ExecTaskConfig(_Strict):
    command: str
    args: list[str] = Field(default_factory=list)
    pid_mode: str = ""
    ipc_mode: str = ""
    cap_add: list[str] = Field(default_factory=list)
    cap_drop: list[str] = Field(default_factory=list)
    work_dir: str = ""

    def validate_values(self) -> None:
        """Nomad's checks after decoding, wrapped as `failed driver config validation: ...`."""
        problem = ""
        if self.pid_mode not in ("", *_MODES):
            problem = f'pid_mode must be "private" or "host", got "{self.pid_mode}"'
        elif self.ipc_mode not in ("", *_MODES):
            problem = f'ipc_mode must be "private" or "host", got "{self.ipc_mode}"'
        elif self.work_dir and not os.path.isabs(self.work_dir):
            problem = f'work_dir must be absolute but got relative path "{self.work_dir}"'
        if problem:
            raise DriverError(f"failed driver config validation: {problem}")
