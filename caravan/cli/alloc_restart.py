"""`caravan alloc restart <alloc> [<task>]`: restart an allocation's tasks in place."""

from __future__ import annotations

from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.lookup import invalid_task_message, resolve_alloc
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan alloc restart [options] <allocation> <task>

  Restart an existing allocation. This command restarts the running tasks of the
  allocation, or only <task>; -all-tasks restarts every task, including those
  that already finished.
""" + CLIENT_OPTIONS_HELP + """
Restart Specific Options:

  -all-tasks
    Restart all tasks, including those that are not running.

  -task <task-name>
    Specify the individual task to restart.

  -verbose
    Show full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("all-tasks")
    fs.bool_flag("verbose")
    fs.string_flag("task")
    flags = fs.parse(args)
    if not 1 <= len(flags.args) <= 2:
        raise UsageError("This command takes one or two arguments: <alloc-id> <task-name>")
    task = flags.get_str("task") or (flags.args[1] if len(flags.args) == 2 else "")
    all_tasks = flags.get_bool("all-tasks")
    if all_tasks and task:
        raise CommandFailed(
            "The -all-tasks option is not allowed when restarting a specific task.")
    client = make_client(flags)
    alloc = resolve_alloc(client, flags.args[0], flags.get_bool("verbose"), ui.now_ns())
    if task:
        problem = invalid_task_message(alloc, task)
        if problem:
            raise CommandFailed(problem)
    with reported_as(f"Failed to restart {'task' if task else 'allocation'}:\n\n"):
        client.allocations.restart(alloc.id, task, all_tasks=all_tasks)
    return 0
