"""What the client remembers across agent restarts, one JSON file per allocation.

    <data_dir>/client/allocs/<alloc_id>.json    LocalAllocState: the allocation as last
                                                seen, and per task its TaskState (events),
                                                driver handle or launch intent, restart
                                                count and pending restart delay, and
                                                finished prestart hooks

Files are replaced atomically (write, fsync, rename), so an agent killed at any
moment leaves either the old or the new state. Not safe for concurrent writers:
one client owns its data dir.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from caravan.client.drivers.base import TaskConfig, TaskHandle
from caravan.structs import Allocation, TaskState

log = logging.getLogger(__name__)


class LocalTaskState(BaseModel):
    task_state: TaskState = Field(default_factory=TaskState)
    handle: TaskHandle | None = None
    # Written (durably) before the driver is asked to start the task, cleared once its
    # handle is recorded: a restarted agent asks the driver what that start left.
    launching: TaskConfig | None = None
    # The config of the task's last start, kept once it exits: what `alloc debug` copies.
    last_config: TaskConfig | None = None
    # The restart tracker: failures counted in the current interval, and when it began.
    restart_count: int = 0
    restart_interval_start_ns: int | None = None
    # A restart waiting out its delay: not started before this time (Unix ns).
    start_after_ns: int = 0
    hooks_done: list[str] = Field(default_factory=list)
    run_complete: bool = False


class LocalAllocState(BaseModel):
    alloc: Allocation
    tasks: dict[str, LocalTaskState] = Field(default_factory=dict)


class ClientStateStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory / "allocs"

    def load_allocs(self) -> list[LocalAllocState]:
        """Every stored allocation; unreadable files are logged and skipped."""
        if not self.directory.is_dir():
            return []
        states = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                states.append(LocalAllocState.model_validate_json(path.read_bytes()))
            except (OSError, ValidationError) as err:
                log.error("skipping unreadable client state %s: %s", path, err)
        return states

    def put_alloc(self, state: LocalAllocState) -> None:
        self.write_alloc(state.alloc.id, state.model_dump_json().encode())

    def write_alloc(self, alloc_id: str, data: bytes) -> None:
        """Blocking (fsync): call it from a thread. OSError (a full disk) leaves the
        previous file as it was."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.directory / f"{alloc_id}.json"
        tmp = path.with_suffix(".tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)  # what was written of it takes space
            raise

    def delete_alloc(self, alloc_id: str) -> None:
        (self.directory / f"{alloc_id}.json").unlink(missing_ok=True)
