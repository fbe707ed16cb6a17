"""raw_exec's two configs: the agent's `plugin "raw_exec"` block and a task's `config` block."""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from caravan.client.drivers.decode import decode
from caravan.errors import DriverError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RawExecPluginConfig(_Strict):
    enabled: bool = False
    denied_host_uids: str | None = None
    denied_host_gids: str | None = None
    denied_envvars: list[str] = Field(default_factory=list)
    # caravan's own: users `alloc exec -u` may run as (client/drivers/exec_user.py).
    allow_exec_users: list[str] = Field(default_factory=list)

    @classmethod
    def parse(cls, raw: dict[str, Any], client_options: dict[str, str]) -> RawExecPluginConfig:
        """The plugin block, with the legacy client option `driver.raw_exec.enable` honoured."""
        config = decode(cls, raw, "invalid raw_exec plugin config: ")
        legacy = client_options.get("driver.raw_exec.enable", "")
        if legacy.strip().lower() in ("1", "t", "true"):
            config = config.model_copy(update={"enabled": True})
        return config


class RawExecTaskConfig(_Strict):
    command: str
    args: list[str] = Field(default_factory=list)
    work_dir: str = ""
    cgroup_v2_override: str = ""
    cgroup_v1_override: dict[str, str] = Field(default_factory=dict)
    oom_score_adj: int = 0
    denied_envvars: list[str] = Field(default_factory=list)

    def validate_values(self) -> None:
        """Value checks after decoding, wrapped as `failed driver config validation: ...`."""
        problem = ""
        if self.work_dir and not os.path.isabs(self.work_dir):
            problem = "work_dir must be an absolute path"
        elif self.oom_score_adj < 0:
            problem = "oom_score_adj must not be negative"
        if problem:
            raise DriverError(f"failed driver config validation: {problem}")
