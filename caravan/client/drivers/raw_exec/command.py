"""Where raw_exec finds a task's command on the host."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from caravan.errors import DriverError


def lookup_command(task_dir: Path, command: str, path_env: str | None) -> str:
    """Nomad's order: T/local/C, T/C, C itself when absolute, then the agent's $PATH."""
    for candidate in (task_dir / "local" / command, task_dir / command):
        if candidate.exists():
            return str(candidate)
    if os.path.isabs(command) and os.path.exists(command):
        return command
    found = shutil.which(command, path=path_env) if "/" not in command else None
    if found is None:
        raise DriverError(
            f'failed to launch command with executor: binary "{command}" could not be found')
    return found
