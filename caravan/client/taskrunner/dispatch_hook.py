"""Prestart: write a dispatched job's payload to the task's `dispatch_payload { file }`,
beneath its `local/` dir (through `beneath.Root`: the task owns that dir and may have
planted a symlink where the file goes; such a path is refused, never followed)."""

from __future__ import annotations

import asyncio
import base64
import os
import posixpath

from caravan.client.beneath import Root
from caravan.client.taskrunner.hooks import (
    HookError,
    PrestartHook,
    PrestartRequest,
    PrestartResponse,
)


class DispatchPayloadHook(PrestartHook):
    name = "dispatch_payload"

    async def prestart(self, request: PrestartRequest) -> PrestartResponse:
        config, job = request.task.dispatch_payload, request.alloc.job
        if config is None or job is None or not job.payload:
            return PrestartResponse(done=True)
        data = base64.b64decode(job.payload)
        local = str(request.task_dir.local_dir)
        try:
            await asyncio.to_thread(_write, local, config.file, data)
        except OSError as e:
            raise HookError(f"failed to write dispatch payload to local/{config.file}: {e}"
                            ) from e
        return PrestartResponse(done=True)


def _write(local_dir: str, file: str, data: bytes) -> None:
    parent, name = posixpath.split(file)
    with Root.open(local_dir) as local:
        directory = local.opendir(parent, create=True) if parent else Root.open(local_dir)
        with directory:
            fd = directory.open_file(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
