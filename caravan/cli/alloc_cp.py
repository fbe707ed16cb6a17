"""`caravan alloc cp [options] <src> <dest>`: files to or from a running task.

One of `src` and `dest` is `<allocation>:<path>` (kubectl's shape), the other a local
path, or `-` for a tar stream on stdin / stdout. The session is `caravan.api.copy`;
this module owns the local end: the tar written from a local path (a thread) or
unpacked at one (a thread, through `caravan.tarcopy`: all or nothing), and the outcome.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import BinaryIO

from caravan.api import Client
from caravan.api.copy import CopyRequest, copy_session
from caravan.api.exec import ExecSession
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.lookup import invalid_task_message, only_task, resolve_alloc
from caravan.errors import CaravanError, CommandFailed, UsageError
from caravan.structs import Allocation
from caravan.tarcopy import pack, unpack

HELP = """
Usage: caravan alloc cp [options] <allocation>:<path> <local path>
       caravan alloc cp [options] <local path> <allocation>:<path>

  Copies a file or a directory tree (recursively, modes kept) out of or into a
  running task. Inside the task the copy runs as the task's user, in the task's
  own filesystem view (an exec task's container), and needs no tool there; files
  copied in belong to the task's user. A relative task path starts at the task's
  working directory. A local path of '-' reads or writes a tar stream on stdin or
  stdout. An incoming tar that would write outside its destination (absolute
  names, '..', links pointing out, devices, setuid bits) is refused whole.

  With ACLs, the token needs 'alloc-exec' in the allocation's namespace; tasks
  without filesystem isolation (raw_exec) also need 'alloc-node-exec'.
""" + CLIENT_OPTIONS_HELP + """
Cp Specific Options:

  -task <task-name>
    The task to copy to or from (needed when the group has several).
"""

_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Endpoints:
    alloc: str
    remote: str
    local: str
    upload: bool


def parse_endpoints(src: str, dest: str) -> Endpoints:
    """Which side is `<alloc>:<path>` (a prefix without `/` before the first `:`)."""
    remote_src, remote_dest = _remote(src), _remote(dest)
    if (remote_src is None) == (remote_dest is None):
        raise UsageError("exactly one of source and destination must be <allocation>:<path>")
    if remote_src is not None:
        return Endpoints(*remote_src, local=dest, upload=False)
    assert remote_dest is not None
    return Endpoints(*remote_dest, local=src, upload=True)


def _remote(arg: str) -> tuple[str, str] | None:
    alloc, sep, path = arg.partition(":")
    if not sep or not alloc or "/" in alloc:
        return None
    if not path:
        raise UsageError(f"{arg!r}: a path inside the task is needed after ':'")
    return alloc, path


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set()
    flags.string_flag("task")
    parsed = flags.parse(args)
    if len(parsed.args) != 2:
        raise UsageError("This command takes two arguments: <source> <destination>")
    ends = parse_endpoints(*parsed.args)
    with make_client(parsed) as client:
        with reported_as("Error querying allocation: "):
            alloc = resolve_alloc(client, ends.alloc, False, ui.now_ns())
        task = _task(alloc, parsed.get_str("task"))
        with reported_as("failed to copy: "):
            asyncio.run(_copy(client, alloc, task, ends))
    return 0


def _task(alloc: Allocation, task: str) -> str:
    problem = invalid_task_message(alloc, task) if task else None
    if not task:
        task, problem = only_task(alloc)
    if problem:
        raise CommandFailed(problem)
    return task


async def _copy(client: Client, alloc: Allocation, task: str, ends: Endpoints) -> None:
    request = CopyRequest("upload" if ends.upload else "download", ends.remote)
    async with copy_session(client, alloc.id, task, request,
                            node_id=alloc.node_id or None) as session:
        if ends.upload:
            await _upload(session, ends.local)
        else:
            await _download(session, ends.local)


# ---- download: stdout frames into a local tar sink ----------------------------------


async def _download(session: ExecSession, local: str) -> None:
    if local == "-":
        out = sys.stdout.buffer
        await _finish(session, lambda data: asyncio.to_thread(_write, out, data))
        return
    side = _LocalTar(lambda stream: unpack(stream, local), reading=True)
    try:
        await _finish(session, side.send)
    except BaseException:
        await side.close(quiet=True)  # the session's error says why, not the cut-off tar
        raise
    await side.close()


def _write(out: BinaryIO, data: bytes) -> None:
    out.write(data)
    out.flush()


async def _finish(session: ExecSession, sink: Callable[[bytes], Awaitable[None]]) -> None:
    """Take output frames until the exit frame: stdout to `sink`; a non-zero exit is the
    copy's error, in its own words (stderr)."""
    errors = bytearray()
    async for out in session:
        if out.stream == "stdout":
            await sink(out.data)
        else:
            errors += out.data
    if session.exit_code != 0:
        message = errors.decode(errors="replace").strip()
        raise CaravanError(message or f"the copy exited with code {session.exit_code}")


# ---- upload: a local tar source into stdin frames ------------------------------------


async def _upload(session: ExecSession, local: str) -> None:
    if local == "-":
        stdin = sys.stdin.fileno()
        feed = asyncio.create_task(_feed(session, lambda: asyncio.to_thread(
            os.read, stdin, _CHUNK)))
        await _finish_feeding(session, feed)
        return
    arcname = os.path.basename(os.path.normpath(local)) or "."
    side = _LocalTar(lambda stream: pack(local, arcname, stream), reading=False)
    feed = asyncio.create_task(_feed(session, side.receive, side.check))
    try:
        await _finish_feeding(session, feed)
    finally:
        await side.close()


async def _feed(session: ExecSession, read: Callable[[], Awaitable[bytes]],
                check: Callable[[], Awaitable[None]] | None = None) -> None:
    while data := await read():
        await session.send_stdin(data)
    if check is not None:
        # A pack that failed must not end stdin: a tar cut at a member's end would read
        # as complete. The session then closes without it and the copy writes nothing.
        await check()
    await session.close_stdin()


async def _finish_feeding(session: ExecSession, feed: asyncio.Task[None]) -> None:
    finish = asyncio.create_task(_finish(session, _unexpected))
    try:
        done, _ = await asyncio.wait([feed, finish], return_when=asyncio.FIRST_EXCEPTION)
        if feed in done and feed.exception() is not None:
            await feed  # the local side failed: its error, not the session's
        await finish
    finally:
        for task in (feed, finish):
            task.cancel()
        await asyncio.gather(feed, finish, return_exceptions=True)


async def _unexpected(data: bytes) -> None:
    pass  # an upload prints nothing


# ---- the local tar end: pack or unpack in a thread, over a pipe ------------------------


class _LocalTar:
    """`work` (pack or unpack) in a thread on one end of a pipe; the session's loop
    reads or writes the other end. The thread's error is raised by `close`."""

    def __init__(self, work: Callable[[BinaryIO], object], *, reading: bool) -> None:
        read_fd, write_fd = os.pipe()
        self._ours = write_fd if reading else read_fd
        theirs = os.fdopen(read_fd if reading else write_fd, "rb" if reading else "wb")
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work, theirs), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[BinaryIO], object], theirs: BinaryIO) -> None:
        try:
            with theirs:
                work(theirs)
        except BrokenPipeError:
            pass  # the session ended first; it says why
        except CaravanError as err:
            self._error = err
        except OSError as err:
            self._error = CaravanError(f"{err.filename or ''}: {err.strerror or err}")

    async def send(self, data: bytes) -> None:
        try:
            await asyncio.to_thread(_write_all, self._ours, data)
        except BrokenPipeError:
            await asyncio.to_thread(self._thread.join)
            raise self._error or CaravanError("the local unpack stopped") from None

    async def check(self) -> None:
        """After the end of the pipe: the thread's error, if it failed."""
        await asyncio.to_thread(self._thread.join)
        if self._error is not None:
            raise self._error

    async def receive(self) -> bytes:
        return await asyncio.to_thread(os.read, self._ours, _CHUNK)

    async def close(self, *, quiet: bool = False) -> None:
        """Close our end and wait for the thread; raise its error unless `quiet`."""
        if self._ours >= 0:
            os.close(self._ours)
            self._ours = -1
        await asyncio.to_thread(self._thread.join)
        if self._error is not None and not quiet:
            raise self._error


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
