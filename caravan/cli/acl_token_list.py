"""`caravan acl token list`: every token (management token required)."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.acl_format import tokens_table
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    fetched,
    make_client,
    output_flags,
)
from caravan.cli.formatting import format_json

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
    flags, as_json = output_flags(args, nargs=0, usage="This command takes no arguments")
    tokens, _ = fetched("listing ACL tokens", ACLTokens(make_client(flags)).list)
    ui.output(format_json([t.to_wire() for t in tokens]) if as_json
              else tokens_table(tokens, ui.now_ns()))
    return 0
