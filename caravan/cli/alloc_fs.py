"""`caravan alloc fs [options] <allocation> [<path>]`: list, stat, print or follow a file of
an allocation directory, with Nomad's flags and output.

A directory is listed (`Mode|Size|Modified Time|Name`), `-stat` shows one entry with its
content type, a file is printed; `-tail` reads from the end (`-n` lines estimated at 120
bytes each, or `-c` bytes) and `-f` keeps following. Ctrl-C ends a follow (exit 0).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

from caravan.api import Client
from caravan.cli.alloc_logs import BYTES_PER_LINE, DEFAULT_TAIL_LINES, copy_frames
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as)
from caravan.cli.flags import Flags
from caravan.cli.formatting import format_list, format_rfc3339, ibytes
from caravan.cli.lookup import random_job_alloc, resolve_alloc
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan alloc fs [options] <allocation> <path>
Alias: caravan fs

  fs displays either the contents of an allocation directory for the passed
  allocation, or displays the file at the given path. The path is relative to
  the root of the alloc dir and defaults to root if unspecified.

  When ACLs are enabled, this command requires a token with the 'read-fs',
  'read-job', and 'list-jobs' capabilities for the allocation's namespace.
""" + CLIENT_OPTIONS_HELP + """
FS Specific Options:

  -H
    Machine friendly output.

  -verbose
    Show full information.

  -job <job-id>
    Use a random allocation from the specified job ID or prefix.

  -group <group-name>
    Specifies the task group with the task when a random allocation is selected.

  -stat
    Show file stat information instead of displaying the file, or listing the directory.

  -f
    Causes the output to not stop when the end of the file is reached, but rather to
    wait for additional output.

  -tail
    Show the files contents with offsets relative to the end of the file. If no
    offset is given, -n is defaulted to 10.

  -n
    Sets the tail location in best-efforted number of lines relative to the end
    of the file.

  -c
    Sets the tail location in number of bytes relative to the end of the file.
"""


def _flags(args: list[str]) -> Flags:
    fs = client_flag_set()
    for name in ("verbose", "H", "job", "stat", "f", "tail"):
        fs.bool_flag(name)
    fs.int_flag("n", -1)
    fs.int_flag("c", -1)
    fs.string_flag("group")
    flags = fs.parse(args)
    if not flags.args:
        raise UsageError("A job ID is required" if flags.get_bool("job")
                         else "An allocation ID is required")
    if len(flags.args) > 2:
        raise UsageError("This command takes one or two arguments: <allocation> [<path>]")
    return flags


def _row(info: dict[str, Any], machine: bool, *extra: str) -> list[str]:
    name = info["Name"] + ("/" if info["IsDir"] else "")
    size = str(info["Size"]) if machine else ibytes(int(info["Size"]))
    return [info["FileMode"], size, format_rfc3339(info["ModTime"]), *extra, name]


def _tail_offset(flags: Flags, size: int) -> tuple[int, int]:
    """(bytes back from the end, lines to keep or -1), Nomad's rules for -n and -c."""
    lines, count = flags.get_int("n"), flags.get_int("c")
    if lines != -1 and count != -1:
        raise CommandFailed("Both -n and -c are not allowed")
    if lines < -1 or count < -1:
        raise CommandFailed("Invalid size is specified")
    if count != -1:
        return min(count, size), -1
    lines = lines if lines != -1 else DEFAULT_TAIL_LINES
    return min(lines * BYTES_PER_LINE, size), lines


def _print_file(client: Client, ui: Ui, alloc_id: str, path: str, flags: Flags,
                size: int) -> None:
    follow = flags.get_bool("f")
    if not flags.get_bool("tail"):
        doing = "Error reading file"
        if follow:
            frames = client.alloc_fs.stream(alloc_id, path, origin="start", follow=True)
            _copy(lambda: copy_frames(frames, ui.write_stdout, -1), doing)
        else:
            _copy(lambda: _write_all(ui, client.alloc_fs.read_at(alloc_id, path)), doing)
        return
    back, lines = _tail_offset(flags, size)
    frames = client.alloc_fs.stream(alloc_id, path, origin="end", offset=back, follow=follow)
    _copy(lambda: copy_frames(frames, ui.write_stdout, lines), "Error tailing file")


def _write_all(ui: Ui, chunks: Iterator[bytes]) -> None:
    for chunk in chunks:
        ui.write_stdout(chunk)


def _copy(action: Callable[[], None], doing: str) -> None:
    with reported_as(f"{doing}: "):
        action()


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = _flags(args)
    client = make_client(flags)
    alloc_id = flags.args[0]
    if flags.get_bool("job"):
        alloc_id = random_job_alloc(client, alloc_id, flags.get_str("group"),
                                    random.SystemRandom().choice)
    alloc = resolve_alloc(client, alloc_id, flags.get_bool("verbose"), ui.now_ns())
    path = flags.args[1] if len(flags.args) == 2 else "/"
    machine = flags.get_bool("H")
    with reported_as(""):
        info = client.alloc_fs.stat(alloc.id, path)
    if flags.get_bool("stat"):
        ui.output(format_list([["Mode", "Size", "Modified Time", "Content Type", "Name"],
                               _row(info, machine, str(info.get("ContentType", "")))]))
        return 0
    if info["IsDir"]:
        with reported_as("Error listing alloc dir: "):
            entries = client.alloc_fs.ls(alloc.id, path)
        ui.output(format_list([["Mode", "Size", "Modified Time", "Name"],
                               *(_row(e, machine) for e in entries)]))
        return 0
    try:
        _print_file(client, ui, alloc.id, path, flags, int(info["Size"]))
    except KeyboardInterrupt:
        client.close()
        return 0  # the user stopped following
    return 0
