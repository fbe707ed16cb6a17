"""Prestart: refuse a task whose user the client denies (`user.denylist`, checked drivers)."""

from __future__ import annotations

from collections.abc import Mapping

from caravan.client.taskrunner.hooks import (
    HookError,
    PrestartHook,
    PrestartRequest,
    PrestartResponse,
)

DEFAULT_USER_DENYLIST = "root,Administrator"
DEFAULT_CHECKED_DRIVERS = "exec,qemu,java"


def _split(text: str) -> set[str]:
    return {part.strip() for part in text.split(",") if part.strip()}


class ValidateHook(PrestartHook):
    name = "validate"

    def __init__(self, client_options: Mapping[str, str]) -> None:
        self.denied_users = _split(client_options.get("user.denylist", DEFAULT_USER_DENYLIST))
        self.checked_drivers = _split(
            client_options.get("user.checked_drivers", DEFAULT_CHECKED_DRIVERS))

    async def prestart(self, request: PrestartRequest) -> PrestartResponse:
        task = request.task
        if task.driver in self.checked_drivers:
            # Drivers that isolate run an unnamed user as nobody.
            user = task.user or "nobody"
            if user in self.denied_users:
                raise HookError(f'running as user "{user}" is disallowed')
        return PrestartResponse()
