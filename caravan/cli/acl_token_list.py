"""`caravan acl token list`: every token (management token required)."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.acl_format import tokens_table
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
)
from caravan.cli.errors import CommandFailed, UsageError
from caravan.cli.formatting import format_json
from caravan.errors import CaravanError

HELP = """
Usage: caravan acl token list

  List is used to list existing ACL tokens.
""" + CLIENT_OPTIONS_HELP + """
List Options:

  -json
    Output the ACL tokens in a JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("json")
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if flags.args:
        raise UsageError("This command takes no arguments")
    try:
        tokens, _ = ACLTokens(make_client(flags)).list()
    except CaravanError as exc:
        raise CommandFailed(f"Error listing ACL tokens: {exc}") from exc
    ui.output(format_json([t.to_wire() for t in tokens]) if as_json
              else tokens_table(tokens, ui.now_ns()))
    return 0
