"""Running the task runner's hooks, stage by stage, over the one list built per task.

`TaskRunner` decides when a stage runs (see `hooks.py` for the order); this module
runs it: every hook that implements the stage, in list order. Prestart failures
stop the start (HookError, named after the hook); as in Nomad, a HookError from the
poststart, update and exited stages is logged and the task goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from caravan.client.drivers.base import Capabilities
from caravan.client.taskrunner.hooks import (
    ExitedHook,
    HookError,
    PoststartHook,
    PrestartHook,
    PrestartRequest,
    RestoreHook,
    StopHook,
    TaskHook,
    TaskRequest,
    UpdateHook,
)

log = logging.getLogger(__name__)

# The task's environment so far, given what the hooks before added.
_EnvOf = Callable[[dict[str, str]], Mapping[str, str]]


class HookStages:
    def __init__(self, task_name: str, hooks: list[TaskHook]) -> None:
        self.task_name = task_name
        self.hooks = hooks  # built once: each hook keeps its state from prestart to stop

    async def prestart(self, request: TaskRequest, capabilities: Capabilities,
                       env_of: _EnvOf, done: list[str]) -> dict[str, str]:
        """Prestart hooks not yet `done` (their names are appended to `done`); returns
        the environment they add. Raises HookError naming the hook that failed."""
        env: dict[str, str] = {}
        for hook in self.hooks:
            if not isinstance(hook, PrestartHook) or hook.name in done:
                continue
            prestart = PrestartRequest(alloc=request.alloc, task=request.task,
                                       task_dir=request.task_dir, capabilities=capabilities,
                                       env=env_of(env))
            try:
                response = await hook.prestart(prestart)
            except HookError as err:
                raise HookError(f"{hook.name}: {err}", recoverable=err.recoverable,
                                event=err.event) from err
            env.update(response.env)
            if response.done:
                done.append(hook.name)
        return env

    async def poststart(self, request: TaskRequest) -> None:
        for hook in self.hooks:
            if isinstance(hook, PoststartHook):
                await self._logged(hook, "poststart", hook.poststart(request))

    async def update(self, request: TaskRequest) -> None:
        for hook in self.hooks:
            if isinstance(hook, UpdateHook):
                await self._logged(hook, "update", hook.update(request))

    async def restored(self, request: TaskRequest) -> None:
        for hook in self.hooks:
            if isinstance(hook, RestoreHook):
                await self._logged(hook, "restored", hook.restored(request))

    async def exited(self, request: TaskRequest) -> None:
        for hook in self.hooks:
            if isinstance(hook, ExitedHook):
                await self._logged(hook, "exited", hook.exited(request))

    async def stop(self, request: TaskRequest) -> None:
        for hook in self.hooks:
            if isinstance(hook, StopHook):
                await hook.stop(request)

    async def _logged(self, hook: TaskHook, stage: str, call: Awaitable[None]) -> None:
        try:
            await call
        except HookError as err:
            log.error("task %s: %s hook %s failed: %s", self.task_name, stage, hook.name, err)
