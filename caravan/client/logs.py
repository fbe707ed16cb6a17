"""Reading a task's rotated log files with the semantics of Nomad's log API.

Files are `<alloc>/alloc/logs/<task>.<stdout|stderr>.<n>`. A read starts at `offset`
bytes from the start of the first file, or from the end of the last one
(`origin="end"`), walking across files. Without `follow` it stops at the end of the
last file that existed when it began; with `follow` it waits for new data and for
new files, yielding an empty frame about once a second while idle (a heartbeat).
Files are polled (~200 ms): the executor writes them with plain appends.

Tasks can write the logs dir, so it is read through `beneath.Root`: an entry that is
not a regular file of its own (a symlink to /etc/shadow, a FIFO, a hard link) is
neither listed nor opened.
"""

from __future__ import annotations

import asyncio
import os
import stat
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from caravan.client.beneath import PathRefused, Root
from caravan.errors import InvalidInput, NotFound

FRAME_SIZE = 64 * 1024
POLL_S = 0.2
HEARTBEAT_S = 1.0


@dataclass(frozen=True)
class LogFrame:
    """One piece of a log: `offset` is the position in `file` just after `data`."""

    offset: int = 0
    data: bytes = b""
    file: str = ""  # relative to the alloc dir, e.g. "alloc/logs/web.stdout.0"
    file_event: str = ""  # "file deleted" or "file truncated"


@dataclass(frozen=True)
class LogFile:
    index: int
    size: int


def list_log_files(log_dir: Root, task: str, log_type: str) -> list[LogFile]:
    prefix = f"{task}.{log_type}."
    files = []
    for name in log_dir.listdir():
        suffix = name[len(prefix):] if name.startswith(prefix) else ""
        info = _log_stat(log_dir, name) if suffix.isdigit() else None
        if info is not None:
            files.append(LogFile(int(suffix), info.st_size))
    return sorted(files, key=lambda f: f.index)


def _log_stat(log_dir: Root, name: str) -> os.stat_result | None:
    """The entry if it is a log file the executor could have written, else None."""
    try:
        info = log_dir.lstat(name)
    except FileNotFoundError:
        return None
    return info if stat.S_ISREG(info.st_mode) and info.st_nlink == 1 else None


def _open_log_dir(alloc_dir: Path) -> Root | None:
    try:
        with Root.open(alloc_dir) as alloc:
            return alloc.opendir("alloc/logs")
    except (FileNotFoundError, PathRefused):
        return None


def find_closest(files: list[LogFile], index: int, offset: int) -> tuple[int, int]:
    """(file index, offset in it) for `offset` bytes past the start of the first file at or
    after `index`, walking into later files."""
    i = next((n for n, f in enumerate(files) if f.index >= index), len(files) - 1)
    while offset > files[i].size and i < len(files) - 1:
        offset, i = offset - files[i].size, i + 1
    return files[i].index, min(offset, files[i].size)


def find_from_end(files: list[LogFile], back: int) -> tuple[int, int]:
    """(file index, offset in it) for `back` bytes before the end of the last file, walking
    into earlier files. `back` = 0 is the current end: what `alloc logs -f` follows from."""
    i = len(files) - 1
    while back > files[i].size and i > 0:
        back, i = back - files[i].size, i - 1
    return files[i].index, max(0, files[i].size - back)


async def stream_logs(alloc_dir: Path, task: str, log_type: str,
                      origin: str, offset: int, follow: bool) -> AsyncIterator[LogFrame]:
    """The task's log as frames; NotFound when it has no log file of that type."""
    if origin not in ("start", "end"):
        raise InvalidInput("origin must be start or end")
    log_dir = _open_log_dir(alloc_dir)
    if log_dir is None:
        raise _not_found(task, log_type)
    try:
        async for frame in _stream(log_dir, task, log_type, origin, offset, follow):
            yield frame
    finally:
        log_dir.close()


def _not_found(task: str, log_type: str) -> NotFound:
    return NotFound(f'log entry for task "{task}" and log type "{log_type}" not found')


async def _stream(log_dir: Root, task: str, log_type: str, origin: str, offset: int,
                  follow: bool) -> AsyncIterator[LogFrame]:
    next_index, from_end = 0, origin == "end"
    streamed = False
    while True:
        files = list_log_files(log_dir, task, log_type)
        if not files and streamed:
            return  # the alloc dir went away under a follower
        if not files:
            raise _not_found(task, log_type)
        streamed = True
        last_index = files[-1].index
        index, start = find_from_end(files, offset) if from_end else \
            find_closest(files, next_index, offset)
        if not follow and index > last_index:
            return
        name = f"{task}.{log_type}.{index}"
        async for frame in _stream_file(log_dir, name, start, follow=follow,
                                        next_name=f"{task}.{log_type}.{index + 1}"):
            yield frame
        if not follow and index >= last_index:
            return
        next_index, offset, from_end = index + 1, 0, False


async def _stream_file(log_dir: Root, name: str, offset: int, *, follow: bool,
                       next_name: str) -> AsyncIterator[LogFrame]:
    """One file from `offset`; when following, until the next file appears and this one is
    drained. Reads are small and from the page cache, so they run on the event loop."""
    rel = f"alloc/logs/{name}"
    try:
        f = log_dir.reader(name)
    except (FileNotFoundError, PathRefused):
        return  # rotated away (or swapped) between listing and opening: go on
    with f:
        f.seek(offset)
        idle_since = time.monotonic()
        while True:
            data = f.read(FRAME_SIZE)
            if data:
                offset += len(data)
                idle_since = time.monotonic()
                yield LogFrame(offset=offset, data=data, file=rel)
                continue
            if not follow or _log_stat(log_dir, next_name) is not None:
                return
            event = _file_event(log_dir, name, offset)
            if event:
                yield LogFrame(offset=0, file=rel, file_event=event)
                if event == "file deleted":
                    return
                offset = 0
                f.seek(0)
            await asyncio.sleep(POLL_S)
            if time.monotonic() - idle_since >= HEARTBEAT_S:
                idle_since = time.monotonic()
                yield LogFrame()


def _file_event(log_dir: Root, name: str, offset: int) -> str:
    info = _log_stat(log_dir, name)
    if info is None:
        return "file deleted"
    return "file truncated" if info.st_size < offset else ""
