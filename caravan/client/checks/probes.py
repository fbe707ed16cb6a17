"""One run of one check: (status, status code, output, warning).

http: 200 "nomad: http ok", any other code under 400 passes with the body as output,
400 and above fail (Nomad's rules); tcp: a connection that opens passes; script: the
command runs inside the task through the driver's exec path (the chroot, user,
namespaces and cgroup of `alloc exec`), exit 0 passes, 1 is a warning, others fail.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from caravan.client.drivers.base import Driver
from caravan.errors import CaravanError
from caravan.execproto.frames import ExecInput, OutputStream

OUTPUT_LIMIT = 4096


@dataclass(frozen=True)
class Outcome:
    status: str  # success | failure
    output: str
    status_code: int = 0
    warning: bool = False  # a script's exit 1: failing, unless warnings are ignored


async def http_probe(url: str, method: str, headers: dict[str, list[str]] | None, body: str,
                     timeout_s: float) -> Outcome:
    pairs = [(k, v) for k, values in (headers or {}).items() for v in values]
    try:
        async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as http:
            reply = await http.request(method or "GET", url, headers=pairs,
                                       content=body.encode() if body else None)
    except (httpx.HTTPError, OSError) as err:
        return Outcome("failure", f"nomad: {err or type(err).__name__}")
    if reply.status_code == 200:
        return Outcome("success", "nomad: http ok", 200)
    text = reply.content[:OUTPUT_LIMIT].decode(errors="replace")
    return Outcome("success" if reply.status_code < 400 else "failure", text, reply.status_code)


async def tcp_probe(host: str, port: int, timeout_s: float) -> Outcome:
    try:
        async with asyncio.timeout(timeout_s):
            _, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError) as err:
        return Outcome("failure", f"dial tcp {host}:{port}: {err or 'timeout'}")
    writer.close()
    return Outcome("success", "nomad: tcp ok")


class _Collected:
    """An exec session with no input that keeps the first OUTPUT_LIMIT bytes of output."""

    def __init__(self) -> None:
        self.output = bytearray()

    async def receive(self) -> ExecInput | None:
        return None

    async def send(self, stream: OutputStream, data: bytes) -> None:
        room = OUTPUT_LIMIT - len(self.output)
        if room > 0:
            self.output += data[:room]


async def script_probe(driver: Driver, task_id: str, command: list[str],
                       timeout_s: float) -> Outcome:
    collected = _Collected()
    try:
        async with asyncio.timeout(timeout_s):
            code = await driver.exec_streaming(task_id, command, False, collected)
    except TimeoutError:
        return Outcome("failure", f"script check timed out after {timeout_s:g}s")
    except CaravanError as err:  # the command could not start: a failing check
        return Outcome("failure", f"script check could not run: {err}")
    output = collected.output.decode(errors="replace")
    if code == 0:
        return Outcome("success", output)
    return Outcome("failure", output, warning=code == 1)
