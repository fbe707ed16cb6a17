"""`caravan alloc signal [-s SIG] <alloc> [<task>]`: send a signal to an allocation's tasks."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.lookup import invalid_task_message, resolve_alloc
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan alloc signal [options] <allocation> <task>

  Signal an existing allocation. This command sends a signal to the allocation's
  tasks (or only to <task>). The default signal is SIGKILL.
""" + CLIENT_OPTIONS_HELP + """
Signal Specific Options:

  -s
    Specify the signal that the selected tasks should receive.

  -task <task-name>
    Specify the individual task that will receive the signal.

  -verbose
    Show full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("verbose")
    fs.string_flag("s", "SIGKILL")
    fs.string_flag("task")
    flags = fs.parse(args)
    if not 1 <= len(flags.args) <= 2:
        raise UsageError("This command takes up to two arguments: <alloc-id> <task>")
    client = make_client(flags)
    alloc = resolve_alloc(client, flags.args[0], flags.get_bool("verbose"), ui.now_ns())
    task = flags.get_str("task") or (flags.args[1] if len(flags.args) == 2 else "")
    if task:
        problem = invalid_task_message(alloc, task)
        if problem:
            raise CommandFailed(problem)
    with reported_as("Error signalling allocation: "):
        client.allocations.signal(alloc.id, flags.get_str("s"), task)
    return 0
