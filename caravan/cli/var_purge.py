"""`caravan var purge [-check-index N] <path>`: delete a variable for good."""

from __future__ import annotations

from caravan.api.variables import VariableConflict
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.var_format import WILDCARD, cas_conflict_text, parse_check_index
from caravan.errors import CaravanError, CommandFailed, UsageError

HELP = """
Usage: caravan var purge [options] <path>

  Purge is used to permanently delete an existing variable.

  If ACLs are enabled, this command requires a token with the 'variables:destroy'
  capability for the target variable's namespace and path.
""" + CLIENT_OPTIONS_HELP + """
Purge Options:

  -check-index
    If set, the variable is only acted upon if the server side version's modify
    index matches the provided value.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.string_flag("check-index")
    flags = fs.parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <path>")
    cas = parse_check_index(flags.get_str("check-index"))
    if flags.get_str("namespace") == "*":
        raise CommandFailed(WILDCARD)
    path = flags.args[0]
    try:
        make_client(flags).variables.delete(path, cas)
    except VariableConflict as conflict:
        raise CommandFailed(cas_conflict_text(conflict.check_index,
                                              conflict.conflict)) from conflict
    except CaravanError as err:
        raise CommandFailed(f"Error purging variable: {err}") from err
    ui.output(f'Successfully purged variable "{path}"!')
    return 0
