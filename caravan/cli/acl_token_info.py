"""`caravan acl token info <accessor>`: one token (its secret is never shown again)."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.acl_format import token_text
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    fetched,
    make_client,
    output_flags,
)
from caravan.cli.formatting import format_json

HELP = """
Usage: caravan acl token info <token_accessor_id>

  Info is used to fetch information on an existing ACL token. Requires a
  management token, or the token itself. Secret ID shows <none>: caravan stores
  token secrets hashed, so only `acl token create` (and `acl token self`) show it.
""" + CLIENT_OPTIONS_HELP + """
Info Options:

  -json
    Output the ACL token in a JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags, as_json = output_flags(
        args, nargs=1, usage="This command takes one argument: <token_accessor_id>")
    token, _ = fetched("fetching token",
                       lambda: ACLTokens(make_client(flags)).info(flags.args[0]))
    ui.output(format_json(token.to_wire()) if as_json else token_text(token))
    return 0
