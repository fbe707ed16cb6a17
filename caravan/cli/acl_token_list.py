"""`caravan acl token list`: every token (management token required)."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.acl_format import tokens_table
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.object_commands import ListCommand

HELP = """
Usage: caravan acl token list

  List is used to list existing ACL tokens.
""" + CLIENT_OPTIONS_HELP + """
List Options:

  -json
    Output the ACL tokens in a JSON format.
"""


run = ListCommand("Error listing ACL tokens: ", lambda client: ACLTokens(client).list()[0],
                  lambda tokens, ui: tokens_table(tokens, ui.now_ns())).run
