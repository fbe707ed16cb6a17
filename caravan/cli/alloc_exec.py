"""`caravan alloc exec [options] <allocation> <command> [args...]`: a command in a task.

Flags and texts are Nomad's (nomad-facts §4.1-4.4). The session itself is
`caravan.api.exec`; this module owns the local end: raw mode (always restored),
window sizes, stdin (a thread, since stdin may be a plain file), the escape
character, and turning the outcome into an exit code (the remote command's own).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import termios
import threading
import tty as termmode
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, replace

from caravan.api import Client, QueryOptions
from caravan.api.exec import ExecOutput, ExecSession, exec_session
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.flags import Flags
from caravan.cli.lookup import (
    invalid_task_message,
    multiple_allocs_text,
    only_task,
    random_job_alloc,
    sanitize_uuid_prefix,
)
from caravan.errors import CaravanError, CommandFailed, UsageError
from caravan.structs import Allocation

HELP = """
Usage: caravan alloc exec [options] <allocation> <command> [args...]
Alias: caravan exec

  Runs a command inside a running task of the allocation, in the task's own
  environment (for exec tasks: inside its container). The command's exit code
  becomes this command's exit code.

  With ACLs, the token needs 'alloc-exec' (plus 'read-job' and 'list-jobs') in
  the allocation's namespace; tasks without filesystem isolation (raw_exec) also
  need 'alloc-node-exec'.
""" + CLIENT_OPTIONS_HELP + """
Exec Specific Options:

  -task <task-name>
    The task to run the command in (needed when the group has several).

  -job
    Treat the first argument as a job ID or prefix and pick one of its running
    allocations at random.

  -group <group-name>
    With -job, pick among the allocations of this task group only.

  -i
    Send stdin to the command (default true; -i=false sends an empty stdin).

  -t
    Give the command a pseudo-terminal. Defaults to true when both stdin and
    stdout are terminals; -t=false disables it.

  -e <escape_char>
    The escape character of a session with a pseudo-terminal (default '~').
    At the start of a line, the escape character followed by '.' closes the
    session, and a doubled escape character sends one. 'none' disables it.

  -u <user>
    Run the command as this user instead of the task's. The client must list
    the user in its exec or raw_exec plugin config's 'allow_exec_users', and for
    exec tasks the user must exist in the task's own /etc/passwd.

  -all
    With -job, run the (non-interactive) command in every running allocation of
    the job at once. Each output line is prefixed with the allocation's short ID
    and the task; a table of exit codes follows on stderr. The exit code is 0
    only when every command exited 0. Cannot be used with -t or -i.

  -parallel <n>
    With -all, run at most this many sessions at once (default 8).

  -prefix
    With -all, prefix each output line with the allocation and task (default
    true; -prefix=false prints the lines as they are).
"""

PARALLEL = 8

STDIN_CHUNK = 64 * 1024
_CANCELED = "context canceled"
_NEWLINES = (0x0A, 0x0D)


# ---- pure parts -------------------------------------------------------------------------


def expand_it(args: list[str]) -> list[str]:
    """`-it` / `-ti` anywhere (even after the command) mean `-i -t`, as in Nomad >= 2.0.1."""
    out: list[str] = []
    for arg in args:
        out.extend(("-i", "-t") if arg in ("-it", "-ti") else (arg,))
    return out


class EscapeFilter:
    """The escape character over stdin bytes: at the start of the session or right after
    `\\n`/`\\r`, `<esc>.` closes, `<esc><esc>` sends one `<esc>`, `<esc>` plus anything
    else sends both. Feed chunks as they come; `flush()` at end of input."""

    def __init__(self, escape: int) -> None:
        self._escape = escape
        self._line_start = True
        self._pending = False  # an escape at line start, waiting for the next byte

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        """(bytes to send, whether `<esc>.` asked to close)."""
        out = bytearray()
        for byte in data:
            if self._pending:
                self._pending = False
                if byte == ord("."):
                    return bytes(out), True
                if byte != self._escape:
                    out.append(self._escape)
                out.append(byte)
                self._line_start = byte != self._escape and byte in _NEWLINES
            elif self._line_start and byte == self._escape:
                self._pending = True
            else:
                out.append(byte)
                self._line_start = byte in _NEWLINES
        return bytes(out), False

    def flush(self) -> bytes:
        pending, self._pending = self._pending, False
        return bytes([self._escape]) if pending else b""


@dataclass(frozen=True)
class Options:
    tty: bool
    stdin: bool
    escape: str  # "" when disabled
    user: str = ""  # -u: run as this user (the node's allow_exec_users decides)


# ---- the command ------------------------------------------------------------------------


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set()
    for name in ("task", "group"):
        flags.string_flag(name)
    flags.bool_flag("job")
    flags.bool_flag("i", True)
    flags.bool_flag("t", both_terminals())
    flags.string_flag("e", "~")
    flags.string_flag("u")
    flags.bool_flag("all")
    flags.int_flag("parallel", PARALLEL)
    flags.bool_flag("prefix", True)
    parsed = flags.parse(expand_it(args))
    if parsed.get_bool("all"):
        return _run_all(parsed)
    options = _options(parsed)
    target, command = parsed.args[0], parsed.args[1:]
    with make_client(parsed) as client:
        alloc = _job_alloc(client, target, parsed.get_str("group")) \
            if parsed.get_bool("job") else _alloc(client, target, ui)
        task = pick_task(alloc, parsed.get_str("task"))
        with reported_as("failed to exec into task: "):
            return asyncio.run(_session(client, alloc, task, command, options))


def _run_all(parsed: Flags) -> int:
    """`-all`: the fan-out (`alloc_exec_all.py`), after its own argument checks."""
    from caravan.cli.alloc_exec_all import run_all

    if not parsed.get_bool("job"):
        raise UsageError("-all requires -job: it runs the command in every running "
                         "allocation of that job")
    given = [f"-{name}" for name in ("t", "i") if parsed.was_given(name) and parsed.get_bool(name)]
    if given:
        raise CommandFailed(f"{' and '.join(given)} cannot be used with -all: it runs a "
                            "non-interactive command (no terminal, no stdin) in every "
                            "allocation at once")
    if parsed.get_int("parallel") < 1:
        raise CommandFailed("-parallel must be at least 1")
    if not parsed.args:
        raise UsageError("A job ID is required")
    if len(parsed.args) < 2:
        raise UsageError("A command is required")
    with make_client(parsed) as client:
        return run_all(client, parsed.args[0], parsed.get_str("group"), parsed.get_str("task"),
                       parsed.args[1:], parsed.get_str("u"), parsed.get_int("parallel"),
                       parsed.get_bool("prefix"))


def _options(parsed: Flags) -> Options:
    """Nomad's argument checks, in its order."""
    positional, job = parsed.args, parsed.get_bool("job")
    if not positional:
        raise UsageError("A job ID is required" if job else "An allocation ID is required")
    if not job and len(positional[0]) == 1:
        raise CommandFailed("Alloc ID must contain at least two characters")
    if len(positional) < 2:
        raise UsageError("A command is required")
    return replace(session_options(parsed), user=parsed.get_str("u"))


def session_options(parsed: Flags) -> Options:
    """-t, -i and -e, checked as Nomad does (shared with `alloc debug`)."""
    tty, stdin = parsed.get_bool("t"), parsed.get_bool("i")
    if tty and not stdin:
        raise CommandFailed("-i must be enabled if running with tty")
    escape = parsed.get_str("e")
    escape = "" if escape == "none" else escape
    if len(escape.encode()) > 1:
        raise CommandFailed("-e requires 'none' or a single character")
    return Options(tty, stdin, escape)


def pick_task(alloc: Allocation, task: str) -> str:
    problem = invalid_task_message(alloc, task) if task else None
    if not task:
        task, problem = only_task(alloc)
    if problem:
        raise CommandFailed(problem)
    return task


def both_terminals() -> bool:
    return os.isatty(sys.stdin.fileno()) and os.isatty(sys.stdout.fileno())


def _alloc(client: Client, alloc_id: str, ui: Ui) -> Allocation:
    with reported_as("Error querying allocation: "):
        stubs, _ = client.allocations.list(prefix=sanitize_uuid_prefix(alloc_id))
    if not stubs:
        raise CommandFailed(f'No allocation(s) with prefix or id "{alloc_id}" found')
    if len(stubs) > 1:
        raise CommandFailed(multiple_allocs_text(stubs, False, ui.now_ns()))
    return _alloc_info(client, stubs[0].id, stubs[0].namespace)


def _job_alloc(client: Client, job: str, group: str) -> Allocation:
    return _alloc_info(client, random_job_alloc(client, job, group, random.choice), None)


def _alloc_info(client: Client, alloc_id: str, namespace: str | None) -> Allocation:
    with reported_as("Error querying allocation: "):
        alloc, _ = client.allocations.info(alloc_id, QueryOptions(namespace=namespace))
    return alloc


# ---- the session ------------------------------------------------------------------------


class _Canceled(Exception):
    """`<esc>.`, SIGINT or SIGTERM: the session ends without an exit code."""


async def _session(client: Client, alloc: Allocation, task: str, command: list[str],
                   options: Options, kind: str = "exec") -> int:
    """A session of `kind` (exec, or debug: `alloc_debug.py`) at the terminal."""
    return await run_session(lambda: exec_session(
        client, alloc.id, task, command, tty=options.tty, node_id=alloc.node_id or None,
        user=options.user, kind=kind), options)


async def run_session(open_session: Callable[[], AbstractAsyncContextManager[ExecSession]],
                      options: Options) -> int:
    """The local end of one session (`exec_session` or a job action's): terminal, stdin,
    sizes, signals; returns the remote command's exit code."""
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    if options.tty and not (os.isatty(stdin) and os.isatty(stdout)):
        raise CommandFailed("failed to exec into task: not a terminal")
    async with open_session() as session:
        with _raw_terminal(stdin if options.tty else None) as restore:
            try:
                await _run(session, options, restore, stdin, stdout)
            except* _Canceled:
                raise CommandFailed(f"failed to exec into task: {_CANCELED}") from None
            except* CaravanError as group:
                raise group.exceptions[0] from None
    return session.exit_code if session.exit_code is not None else -2


async def _run(session: ExecSession, options: Options, restore: Callable[[], None],
               stdin: int, stdout: int) -> None:
    """Output in this task; input, sizes and signals beside it until the exit frame."""
    loop = asyncio.get_running_loop()
    canceled = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, canceled.set)
    try:
        async with asyncio.TaskGroup() as tg:
            helpers = [tg.create_task(_watch_cancel(canceled)),
                       tg.create_task(_send_input(session, options, restore, stdin))]
            if options.tty:
                helpers.append(tg.create_task(_send_sizes(session, stdout)))
            async for out in session:
                _write_all(stdout if out.stream == "stdout" else sys.stderr.fileno(), out)
            for helper in helpers:
                helper.cancel()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _watch_cancel(canceled: asyncio.Event) -> None:
    await canceled.wait()
    raise _Canceled()


async def _send_input(session: ExecSession, options: Options, restore: Callable[[], None],
                      stdin: int) -> None:
    if not options.stdin:
        await session.close_stdin()
        return
    escape = EscapeFilter(options.escape.encode()[0]) if options.tty and options.escape \
        else None
    chunks: asyncio.Queue[bytes] = asyncio.Queue(4)
    loop = asyncio.get_running_loop()
    threading.Thread(target=_read_stdin, args=(stdin, chunks, loop), daemon=True,
                     name="stdin").start()
    while data := await chunks.get():
        if escape is not None:
            data, close = escape.feed(data)
            if close:
                restore()  # so the message starts at the beginning of a line
                os.write(sys.stderr.fileno(), b"\nConnection closed\n")
                raise _Canceled()
        if data:
            await session.send_stdin(data)
    if escape is not None and (rest := escape.flush()):
        await session.send_stdin(rest)
    await session.close_stdin()


def _read_stdin(fd: int, chunks: asyncio.Queue[bytes], loop: asyncio.AbstractEventLoop) -> None:
    """A thread: blocking reads work on every kind of stdin, a plain file included."""
    while True:
        try:
            data = os.read(fd, STDIN_CHUNK)
        except OSError:
            data = b""
        try:
            asyncio.run_coroutine_threadsafe(chunks.put(data), loop).result()
        except (RuntimeError, asyncio.CancelledError):
            return  # the session is over
        if not data:
            return


async def _send_sizes(session: ExecSession, stdout: int) -> None:
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()
    loop.add_signal_handler(signal.SIGWINCH, changed.set)
    try:
        while True:
            size = os.get_terminal_size(stdout)
            await session.resize(size.lines, size.columns)
            await changed.wait()
            changed.clear()
    finally:
        loop.remove_signal_handler(signal.SIGWINCH)


def _write_all(fd: int, out: ExecOutput) -> None:
    view = memoryview(out.data)
    while view:
        view = view[os.write(fd, view):]


@contextmanager
def _raw_terminal(fd: int | None) -> Iterator[Callable[[], None]]:
    """Raw mode on `fd` (None: nothing to do); the yielded function restores it early.
    Restored on every way out: exit, error, Ctrl-C, SIGTERM, a closed connection."""
    if fd is None:
        yield lambda: None
        return
    saved = termios.tcgetattr(fd)
    restored = False

    def restore() -> None:
        nonlocal restored
        if not restored:
            restored = True
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    termmode.setraw(fd, termios.TCSADRAIN)
    try:
        yield restore
    finally:
        restore()

