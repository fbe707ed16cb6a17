"""Prestart, first of all: refuse a task whose name cannot be a directory (checked again
here: a job stored before the server checked it may still hold one) or whose user the
client denies (`user.denylist`, checked drivers)."""

from __future__ import annotations

from collections.abc import Mapping

from caravan.client.taskrunner import events
from caravan.client.taskrunner.hooks import (
    HookError,
    PrestartHook,
    PrestartRequest,
    PrestartResponse,
)
from caravan.clock import Clock
from caravan.structs.names import task_name_problem

DEFAULT_USER_DENYLIST = "root,Administrator"
DEFAULT_CHECKED_DRIVERS = "exec,qemu,java"


def _split(text: str) -> set[str]:
    return {part.strip() for part in text.split(",") if part.strip()}


class ValidateHook(PrestartHook):
    name = "validate"

    def __init__(self, client_options: Mapping[str, str], clock: Clock) -> None:
        self.clock = clock
        self.denied_users = _split(client_options.get("user.denylist", DEFAULT_USER_DENYLIST))
        self.checked_drivers = _split(
            client_options.get("user.checked_drivers", DEFAULT_CHECKED_DRIVERS))

    async def prestart(self, request: PrestartRequest) -> PrestartResponse:
        task = request.task
        if (problem := task_name_problem(task.name)) is not None:
            message = f"task name {task.name!r} cannot be used as a directory: {problem}"
            raise HookError(message, event=events.failed_validation(self.clock.now_ns(),
                                                                    message))
        if task.driver in self.checked_drivers:
            # Drivers that isolate run an unnamed user as nobody.
            user = task.user or "nobody"
            if user in self.denied_users:
                raise HookError(f'running as user "{user}" is disallowed')
        return PrestartResponse()
