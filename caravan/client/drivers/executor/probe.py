"""What an earlier start left in an executor's state dir, told without trusting a PID.

The executor holds `executor.lock` for as long as it lives (see launcher.py), so a
restarted agent learns from the lock whether it still runs, and from `state.json`
and `exit.json` whether its task was started and how it ended.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from caravan.client.drivers.executor import proc
from caravan.client.drivers.executor.launcher import (
    LOCK_NAME,
    START_TIMEOUT_S,
    ExecutorState,
    ExitRecord,
    read_exit,
    read_state,
)
from caravan.errors import DriverError


class Probe(BaseModel):
    """What an earlier start left in a state dir, as `probe()` finds it.

    never:   no executor ever got as far as starting the task (start it)
    running: its executor lives and its task was started (re-attach)
    exited:  the task ran and ended; `record` is its exit (collect, do not run again)
    lost:    the task was started but its executor died without recording an exit
    """

    model_config = ConfigDict(frozen=True)

    outcome: Literal["never", "running", "exited", "lost"]
    state: ExecutorState | None = None
    record: ExitRecord | None = None


def probe(state_dir: Path, wait_s: float = START_TIMEOUT_S) -> Probe:
    """Blocking (run it in a thread). An executor caught starting up is given `wait_s` to
    record its task or to give up; DriverError when it does neither."""
    deadline = time.monotonic() + wait_s
    while True:
        alive = _executor_alive(state_dir)
        record, state = read_exit(state_dir), read_state(state_dir)
        if alive is None:  # no lock file: an executor from before locks, known by identity
            alive = state is not None and proc.is_running(state.executor)
        if record is not None and state is not None:
            return Probe(outcome="exited", state=state, record=record)
        if state is not None:
            return Probe(outcome="running" if alive else "lost", state=state)
        if not alive:
            return Probe(outcome="never")
        if time.monotonic() > deadline:
            raise DriverError(f"the executor in {state_dir} neither started its task nor exited")
        time.sleep(0.02)


def _executor_alive(state_dir: Path) -> bool | None:
    """Whether an executor holds the state dir's lock; None when there is no lock file."""
    try:
        fd = os.open(state_dir / LOCK_NAME, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock if we took it
    return False
