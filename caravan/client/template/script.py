"""A template's `change_script`, run inside the task through its driver's exec, as Nomad
runs it: the command and args, a timeout, the exit code judged."""

from __future__ import annotations

import asyncio

from caravan.client.drivers.base import Driver
from caravan.errors import CaravanError
from caravan.execproto.frames import ExecInput, OutputStream
from caravan.structs import ChangeScript

_S = 1_000_000_000


class _NoInput:
    """An exec session with no input whose output is dropped (Nomad keeps none either)."""

    async def receive(self) -> ExecInput | None:
        return None

    async def send(self, stream: OutputStream, data: bytes) -> None:
        return None


async def run_script(driver: Driver, task_id: str, script: ChangeScript) -> str | None:
    """None when the script exited 0, else the failure in Nomad's words."""
    args = script.args or []
    timeout_s = (script.timeout if script.timeout is not None else 5 * _S) / _S
    try:
        async with asyncio.timeout(timeout_s):
            code = await driver.exec_streaming(task_id, [script.command, *args], False,
                                               _NoInput())
    except TimeoutError:
        return (f"Template failed to run script {script.command} with arguments {args} on "
                f"change: timed out after {timeout_s:g}s. Exit code: -1")
    except CaravanError as err:
        return (f"Template failed to run script {script.command} with arguments {args} on "
                f"change: {err}. Exit code: -1")
    if code != 0:
        return (f"Template ran script {script.command} with arguments {args} on change but "
                f"it exited with code: {code}")
    return None
