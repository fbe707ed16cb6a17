"""What the client remembers across agent restarts, one JSON file per allocation.

    <data_dir>/client/allocs/<alloc_id>.json    LocalAllocState: the allocation as last
                                                seen, and per task its TaskState, driver
                                                handle and finished prestart hooks

Files are replaced atomically (write, fsync, rename), so an agent killed at any
moment leaves either the old or the new state. Not safe for concurrent writers:
one client owns its data dir.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from caravan.client.drivers.base import TaskHandle
from caravan.structs import Allocation, TaskState

log = logging.getLogger(__name__)


class LocalTaskState(BaseModel):
    task_state: TaskState = Field(default_factory=TaskState)
    handle: TaskHandle | None = None
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
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.directory / f"{state.alloc.id}.json"
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(state.model_dump_json().encode())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def delete_alloc(self, alloc_id: str) -> None:
        (self.directory / f"{alloc_id}.json").unlink(missing_ok=True)
