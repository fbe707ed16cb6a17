"""Prestart/stop: the Task API socket (`secrets/api.sock`) of one task.

Runs last among the prestart hooks, at every start (and again when a restarted agent
re-attaches to the running task): a restarted exec task gets a
fresh secrets tmpfs, so the socket is bound again in it. For an exec task the hook
mounts that tmpfs itself (the driver's mount is idempotent and finds it there,
and copies in what earlier hooks put below it), so the socket is in place before
the task's first instruction runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from caravan.client.drivers.exec.secrets import mount_secrets
from caravan.client.taskapi import TaskAPIServer
from caravan.client.taskrunner.hooks import (
    HookError,
    PrestartHook,
    PrestartRequest,
    PrestartResponse,
    RestoreHook,
    StopHook,
    TaskRequest,
)
from caravan.errors import CaravanError


class TaskAPIHook(PrestartHook, RestoreHook, StopHook):
    name = "api"

    def __init__(self, new_server: Callable[[], TaskAPIServer],
                 owner: tuple[int, int] | None) -> None:
        self._new_server = new_server
        self._owner = owner
        self._server: TaskAPIServer | None = None

    async def prestart(self, request: PrestartRequest) -> PrestartResponse:
        await self._stop()
        task_dir = request.task_dir.path
        try:
            if request.capabilities.fs_isolation == "chroot":
                uid, gid = self._owner or (65534, 65534)
                await asyncio.to_thread(mount_secrets, task_dir / "secrets",
                                        request.task.resources.secrets_mb or 1, uid, gid)
            server = self._new_server()
            await server.start(task_dir, self._owner)
        except (OSError, CaravanError) as err:
            raise HookError(f"failed to create the task API socket: {err}",
                            recoverable=True) from err
        self._server = server
        return PrestartResponse()

    async def restored(self, request: TaskRequest) -> None:
        """The agent restarted under a running task: serve its socket again (the old
        one had no listener left); its secrets tmpfs is still mounted."""
        await self._stop()
        server = self._new_server()
        try:
            await server.start(request.task_dir.path, self._owner)
        except (OSError, CaravanError) as err:
            raise HookError(f"failed to create the task API socket: {err}") from err
        self._server = server

    async def stop(self, request: TaskRequest) -> None:
        await self._stop()

    async def _stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop()
