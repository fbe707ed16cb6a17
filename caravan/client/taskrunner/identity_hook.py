"""Prestart: the task's workload identity, into its environment and secrets as asked.

    identity { env = true }    NOMAD_TOKEN=<jwt> in the task's environment
    identity { file = true }   secrets/nomad_token (0600, the task user's)

Every task gets an identity (it is what the Task API socket presents); a task
without an `identity` block just does not see it. Runs at every start, so a restarted
task gets a fresh token when the old one neared its expiry.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from caravan.client.beneath import Root
from caravan.client.identity import TaskIdentities
from caravan.client.taskrunner.hooks import (
    HookError,
    PrestartHook,
    PrestartRequest,
    PrestartResponse,
)
from caravan.errors import CaravanError

TOKEN_FILE = "secrets/nomad_token"


class IdentityHook(PrestartHook):
    name = "identity"

    def __init__(self, identities: TaskIdentities, owner: tuple[int, int] | None) -> None:
        self._identities = identities
        self._owner = owner

    async def prestart(self, request: PrestartRequest) -> PrestartResponse:
        identity = request.task.identity
        if identity is None or not (identity.env or identity.file):
            return PrestartResponse()
        try:
            token = await self._identities.token(request.alloc.id, request.task.name)
        except CaravanError as err:
            raise HookError(f"failed to get the task's workload identity: {err}",
                            recoverable=True) from err
        if identity.file:
            await asyncio.to_thread(self._write, request.task_dir.path, token)
        return PrestartResponse(env={"NOMAD_TOKEN": token} if identity.env else {})

    def _write(self, task_dir: Path, token: str) -> None:
        # Through the task dir's Root: a symlink the task left at secrets/ or at the
        # file is refused, never followed.
        with Root.open(task_dir) as root:
            fd = root.open_file(TOKEN_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, token.encode())
                if self._owner is not None:
                    os.fchown(fd, *self._owner)
                os.fchmod(fd, 0o600)
            finally:
                os.close(fd)
