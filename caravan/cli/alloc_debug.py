"""`caravan alloc debug [options] <allocation> [<command> [args...]]`: a shell (or a command)
in a short-lived copy of a task that has exited or failed.

The whole path is `alloc exec`'s (`alloc_exec.run_in_task`: lookups, raw mode, sizes,
stdin, the escape character, the exit code); only the route (`/debug`) and the defaults
differ.
"""

from __future__ import annotations

from caravan.cli.alloc_exec import Options, both_terminals, expand_it, run_in_task, session_options
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set
from caravan.cli.flags import Flags
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan alloc debug [options] <allocation> [<command> [args...]]

  Starts a short-lived copy of a task that has exited or failed, and runs a
  shell (/bin/sh) or the given command in it, so you can look at what the task
  left behind. The copy has the task's own task dir, chroot, environment,
  user, volumes, resource limits and capabilities, and never restarts; it is
  removed when the session ends. A running task is refused: use 'alloc exec'.
  The allocation's directory must not have been garbage collected yet.

  With ACLs, the token needs 'alloc-exec' in the allocation's namespace; tasks
  without filesystem isolation (raw_exec), whose copy is a process on the host,
  also need 'alloc-node-exec'.
""" + CLIENT_OPTIONS_HELP + """
Debug Specific Options:

  -task <task-name>
    The task to copy (needed when the group has several).

  -i
    Send stdin to the command (default true; -i=false sends an empty stdin).

  -t
    Give the command a pseudo-terminal. Defaults to true when both stdin and
    stdout are terminals; -t=false disables it.

  -e <escape_char>
    The escape character of a session with a pseudo-terminal (default '~').
"""

DEFAULT_COMMAND = ["/bin/sh"]


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set()
    flags.string_flag("task")
    flags.bool_flag("i", True)
    flags.bool_flag("t", both_terminals())
    flags.string_flag("e", "~")
    parsed = flags.parse(expand_it(args))
    options = _options(parsed)
    target, command = parsed.args[0], parsed.args[1:] or DEFAULT_COMMAND
    return run_in_task(parsed, target, command, options, ui, route="debug", doing="debug")


def _options(parsed: Flags) -> Options:
    if not parsed.args:
        raise UsageError("An allocation ID is required")
    if len(parsed.args[0]) == 1:
        raise CommandFailed("Alloc ID must contain at least two characters")
    return session_options(parsed)
