"""`caravan acl token self`: the token this command runs with (-token, CARAVAN_TOKEN)."""

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
from caravan.cli.errors import CommandFailed
from caravan.cli.formatting import format_json

HELP = """
Usage: caravan acl token self

  Self is used to fetch information about the currently set ACL token.
""" + CLIENT_OPTIONS_HELP + """
Self Options:

  -json
    Output the ACL token in a JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags, as_json = output_flags(args, nargs=0, usage="This command takes no arguments")
    client = make_client(flags)
    if not client.token:
        raise CommandFailed("No token present in the environment or set via the CLI flag")
    token, _ = fetched("fetching self token", ACLTokens(client).self)
    ui.output(format_json(token.to_wire()) if as_json else token_text(token))
    return 0
