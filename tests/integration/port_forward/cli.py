"""`caravan alloc port-forward` as a subprocess: its stdout and stderr go to files the
test polls, and it is stopped (SIGTERM, then SIGKILL) by PID when the block ends."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.agents import CARAVAN, AgentProcess, wait_until

FORWARDING = re.compile(r"^Forwarding from 127\.0\.0\.1:(\d+) -> (\S+)$", re.M)


@dataclass
class Forwarder:
    proc: subprocess.Popen[bytes]
    out: Path
    err: Path
    local: dict[str, int]  # REMOTE as printed -> the local port

    def stderr(self) -> str:
        return self.err.read_text()

    def stdout(self) -> str:
        return self.out.read_text()


@contextmanager
def forwarding(agent: AgentProcess, tmp: Path, alloc: str, *specs: str,
               flags: tuple[str, ...] = (), env: dict[str, str] | None = None
               ) -> Iterator[Forwarder]:
    """Run the command for `specs`; ready once it printed a Forwarding line for each."""
    n = len(list(tmp.iterdir()))
    out, err = tmp / f"pf-{n}.out", tmp / f"pf-{n}.err"
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen([CARAVAN, "alloc", "port-forward", *flags, alloc, *specs],
                                env={**agent.env, **(env or {})},
                                stdin=subprocess.DEVNULL, stdout=o, stderr=e)
    try:
        def ready() -> list[tuple[str, str]] | None:
            if proc.poll() is not None:
                raise AssertionError(f"port-forward exited {proc.returncode}: "
                                     f"{err.read_text()}")
            found = FORWARDING.findall(out.read_text())
            return found if len(found) == len(specs) else None

        lines = wait_until(ready, 30, what="the Forwarding lines")
        yield Forwarder(proc, out, err, {remote: int(local) for local, remote in lines})
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def stop(forwarder: Forwarder) -> int:
    forwarder.proc.send_signal(signal.SIGTERM)
    return forwarder.proc.wait(10)
