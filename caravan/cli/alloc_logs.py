"""`caravan alloc logs <alloc> [<task>]`: print or follow a task's stdout/stderr.

`plan_logs` holds Nomad's flag rules (pure); the rest streams frames to our own
stdout and stderr as they arrive. Ctrl-C ends a followed stream quietly (exit 0).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

from caravan.api import Client, LogFrame
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.flags import Flags
from caravan.cli.lookup import invalid_task_message, only_task, random_job_alloc, resolve_alloc
from caravan.errors import CaravanError, CommandFailed, UsageError
from caravan.structs import Allocation

HELP = """
Usage: caravan alloc logs [options] <allocation> <task>
Alias: caravan logs

  Streams the stdout/stderr of the given allocation and task.
""" + CLIENT_OPTIONS_HELP + """
Logs Specific Options:

  -stdout
    Display stdout logs. This is used as the default value in all commands
    except when using the "-f" flag where both stdout and stderr are used.

  -stderr
    Display stderr logs.

  -verbose
    Show full information.

  -task <task-name>
    Sets the task to view the logs.

  -job <job-id>
    Use a random allocation from the specified job ID or prefix.

  -group <group-name>
    Specifies the task group with the task when a random allocation is selected.

  -f
    Causes the output to not stop when the end of the logs are reached, but
    rather to wait for additional output. When supplied with no other flags
    except optionally "-job" and "-task", both stdout and stderr are followed.

  -tail
    Show the logs contents with offsets relative to the end of the logs. If no
    offset is given, -n is defaulted to 10.

  -n
    Sets the tail location in best-efforted number of lines relative to the end
    of the logs.

  -c
    Sets the tail location in number of bytes relative to the end of the logs.
"""

# Nomad estimates a line at 120 bytes when turning -n into a byte offset.
BYTES_PER_LINE = 120
DEFAULT_TAIL_LINES = 10


@dataclass(frozen=True)
class LogPlan:
    follow_both: bool = False  # -f alone: stdout and stderr, from their current ends
    log_type: str = "stdout"
    follow: bool = False
    origin: str = "start"
    offset: int = 0
    lines: int = -1  # keep only this many trailing lines of what is read first; -1: all


def plan_logs(*, stdout: bool, stderr: bool, follow: bool, tail: bool, lines: int,
              count: int) -> LogPlan:
    """What to read, from Nomad's flag rules; contradictions raise CommandFailed."""
    if follow and not (stderr or stdout or tail or lines > 0 or count > 0):
        return LogPlan(follow_both=True, follow=True, origin="end")
    if stderr and stdout:
        raise CommandFailed("Unable to support both stdout and stderr")
    log_type = "stderr" if stderr else "stdout"
    if not tail:
        return LogPlan(log_type=log_type, follow=follow)
    if lines != -1 and count != -1:
        raise CommandFailed(f"Failed to read {log_type} file: both -n and -c set")
    if count != -1:
        return LogPlan(log_type=log_type, follow=follow, origin="end", offset=count)
    lines = lines if lines != -1 else DEFAULT_TAIL_LINES
    return LogPlan(log_type=log_type, follow=follow, origin="end",
                   offset=lines * BYTES_PER_LINE, lines=lines)


def tail_lines(data: bytes, lines: int) -> bytes:
    """The last `lines` lines of `data` (a final newline does not start a new line)."""
    end = len(data) - 1 if data.endswith(b"\n") else len(data)
    start = end
    for _ in range(lines):
        start = data.rfind(b"\n", 0, start)
        if start < 0:
            return data
    return data[start + 1:]


def copy_frames(frames: Iterator[LogFrame], write: Callable[[bytes], None], lines: int) -> None:
    """Write frame data as it arrives; with `lines`, first gather what the agent has
    (until a heartbeat says it is idle, or enough bytes) and keep the last lines."""
    if lines < 0:
        for frame in frames:
            if frame.data:
                write(frame.data)
        return
    pending: bytearray | None = bytearray()
    for frame in frames:
        if pending is None:
            if frame.data:
                write(frame.data)
            continue
        pending += frame.data
        if frame.heartbeat or len(pending) >= lines * BYTES_PER_LINE:
            _write_some(write, tail_lines(bytes(pending), lines))
            pending = None
    if pending is not None:
        _write_some(write, tail_lines(bytes(pending), lines))


def _write_some(write: Callable[[bytes], None], data: bytes) -> None:
    if data:
        write(data)


def _single(client: Client, ui: Ui, alloc: Allocation, task: str, plan: LogPlan) -> None:
    frames = client.alloc_fs.logs(alloc.id, task, plan.log_type, follow=plan.follow,
                                  origin=plan.origin, offset=plan.offset)
    received = 0

    def counted() -> Iterator[LogFrame]:
        nonlocal received
        for frame in frames:
            received += 1
            yield frame

    def doing() -> str:
        what = ("error following logs" if received else
                "error tailing file" if plan.origin == "end" else "error reading file")
        return f"Failed to read {plan.log_type} file: {what}: "

    try:
        with reported_as(doing):
            # Like Nomad, one stream read on its own goes to stdout, whichever it is.
            copy_frames(counted(), ui.write_stdout, plan.lines)
    finally:
        frames.close()


class _Follower(threading.Thread):
    """Copies one followed stream; remembers the error that ended it, if any."""

    def __init__(
        self, frames: Generator[LogFrame, None, None], write: Callable[[bytes], None]
    ) -> None:
        super().__init__(daemon=True)  # daemon: Ctrl-C must not wait for an idle stream
        self._frames = frames
        self._write = write
        self.error: CaravanError | None = None

    def run(self) -> None:
        try:
            copy_frames(self._frames, self._write, -1)
        except CaravanError as exc:
            self.error = exc


def _both(client: Client, ui: Ui, alloc: Allocation, task: str) -> None:
    """Follow stdout and stderr together until one stream fails or ends."""
    followers = {
        name: _Follower(client.alloc_fs.logs(alloc.id, task, name, follow=True, origin="end"),
                        write)
        for name, write in (("stdout", ui.write_stdout), ("stderr", ui.write_stderr))}
    for follower in followers.values():
        follower.start()
    while all(f.is_alive() for f in followers.values()):
        for follower in followers.values():
            follower.join(0.2)  # short joins so Ctrl-C reaches this thread
    for name, follower in followers.items():
        if follower.error is not None:
            raise CommandFailed("Failed to tail stdout and stderr files: received an error "
                                f"from {name} log stream: {follower.error}")


def _flags(args: list[str]) -> Flags:
    fs = client_flag_set()
    for name in ("verbose", "job", "tail", "f", "stderr", "stdout"):
        fs.bool_flag(name)
    fs.int_flag("n", -1)
    fs.int_flag("c", -1)
    fs.string_flag("task")
    fs.string_flag("group")
    flags = fs.parse(args)
    if not flags.args:
        raise UsageError("A job ID is required" if flags.get_bool("job")
                         else "An allocation ID is required")
    if len(flags.args) > 2:
        raise UsageError("This command takes one or two arguments")
    return flags


def _task(flags: Flags, alloc: Allocation) -> str:
    task, problem = flags.get_str("task"), None
    if task:
        problem = invalid_task_message(alloc, task)
    elif len(flags.args) >= 2:
        task = flags.args[1]
        if not task:
            raise CommandFailed("Task name required")
    else:
        task, problem = only_task(alloc)
    if problem:
        raise CommandFailed(f"Failed to validate task: {problem}")
    return task


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = _flags(args)
    client = make_client(flags)
    alloc_id = flags.args[0]
    if flags.get_bool("job"):
        alloc_id = random_job_alloc(client, alloc_id, flags.get_str("group"),
                                    random.SystemRandom().choice)
    alloc = resolve_alloc(client, alloc_id, flags.get_bool("verbose"), ui.now_ns())
    task = _task(flags, alloc)
    plan = plan_logs(stdout=flags.get_bool("stdout"), stderr=flags.get_bool("stderr"),
                     follow=flags.get_bool("f"), tail=flags.get_bool("tail"),
                     lines=flags.get_int("n"), count=flags.get_int("c"))
    try:
        if plan.follow_both:
            _both(client, ui, alloc, task)
        else:
            _single(client, ui, alloc, task, plan)
    except KeyboardInterrupt:
        client.close()  # ends the streams follower threads may still be reading
        return 0  # the user stopped following: that is how -f ends
    return 0
