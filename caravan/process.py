"""The one way the agent starts a process: start, wait with a deadline, and stop it as
terminate -> grace period -> kill -> reap, with the stop shielded from cancellation.

    done = await process.run(["runc", "list"], timeout_s=30)      # short-lived commands
    proc = await process.start(argv, stdin=..., stdout=...)       # long-lived ones
    code = await process.stop(proc, grace_s=2)                    # always reaped
    done = process.run_sync(["runc", "--version"], timeout_s=10)  # from a worker thread

The shape of trio's `run_process`. `run_sync` exists for code that already runs in a
worker thread (driver fingerprints), where there is no event loop to wait on; it keeps
the same deadline and the same stop sequence.

The per-task executor is the one process not started here: it must outlive the
agent, so `client/drivers/executor/launcher.py` spawns it detached (see there).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from caravan.errors import ProcessFailed

DEFAULT_GRACE_S = 2.0
_DEVNULL = subprocess.DEVNULL
_PIPE = subprocess.PIPE


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    def text(self) -> tuple[str, str]:
        return self.stdout.decode(errors="replace"), self.stderr.decode(errors="replace")


async def start(argv: Sequence[str], **kwargs: Any) -> asyncio.subprocess.Process:
    """Start `argv` (asyncio's keyword arguments pass through); ProcessFailed if it cannot."""
    try:
        return await asyncio.create_subprocess_exec(*argv, **kwargs)
    except OSError as err:
        raise ProcessFailed(f"cannot start {argv[0]}: {err.strerror or err}") from err


async def stop(proc: asyncio.subprocess.Process, *, grace_s: float = DEFAULT_GRACE_S,
               sig: int = signal.SIGTERM, group: bool = False) -> int:
    """Signal `proc` (its process group when `group`), wait `grace_s`, SIGKILL, reap.

    Idempotent; returns the exit status. Runs to the end even if the caller is
    cancelled, so a process is never left unreaped.
    """
    stopping = asyncio.ensure_future(_stop(proc, grace_s, sig, group))
    try:
        return await asyncio.shield(stopping)
    except asyncio.CancelledError:
        await stopping
        raise


async def _stop(proc: asyncio.subprocess.Process, grace_s: float, sig: int,
                group: bool) -> int:
    if proc.returncode is None:
        _signal(proc, sig, group)
        try:
            async with asyncio.timeout(grace_s):
                return await proc.wait()
        except TimeoutError:
            _signal(proc, signal.SIGKILL, group)
    return await proc.wait()


def _signal(proc: asyncio.subprocess.Process, sig: int, group: bool) -> None:
    try:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except ProcessLookupError:
        pass  # already gone; wait() reaps it


async def run(argv: Sequence[str], *, timeout_s: float, input: bytes | None = None,
              grace_s: float = DEFAULT_GRACE_S, **kwargs: Any) -> Completed:
    """Run `argv` to the end and collect its output. Past `timeout_s` it is stopped and
    ProcessFailed raised; cancelled, it is stopped and the cancellation goes on."""
    proc = await start(argv, stdin=_PIPE if input is not None else _DEVNULL, stdout=_PIPE,
                       stderr=_PIPE, **kwargs)
    try:
        async with asyncio.timeout(timeout_s):
            out, err = await proc.communicate(input)
    except TimeoutError:
        raise ProcessFailed(f"{argv[0]} did not finish within {timeout_s:g}s") from None
    finally:
        if proc.returncode is None:
            await stop(proc, grace_s=grace_s)
    return Completed(tuple(argv), proc.returncode or 0, out, err)


def run_sync(argv: Sequence[str], *, timeout_s: float,
             grace_s: float = DEFAULT_GRACE_S) -> Completed:
    """`run` for a worker thread: same deadline, same terminate -> kill -> reap."""
    try:
        proc = subprocess.Popen(list(argv), stdin=_DEVNULL, stdout=_PIPE, stderr=_PIPE)
    except OSError as error:
        raise ProcessFailed(f"cannot start {argv[0]}: {error.strerror or error}") from error
    with proc:
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.communicate(timeout=grace_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
            raise ProcessFailed(f"{argv[0]} did not finish within {timeout_s:g}s") from None
    return Completed(tuple(argv), proc.returncode, out, err)
