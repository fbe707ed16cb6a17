"""`caravan acl token self`: the token this command runs with (-token, CARAVAN_TOKEN)."""

from __future__ import annotations

from caravan.api import Client
from caravan.api.acl import ACLTokens
from caravan.cli.acl_format import token_text
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.object_commands import InfoCommand
from caravan.errors import CommandFailed
from caravan.structs.acl import ACLToken

HELP = """
Usage: caravan acl token self

  Self is used to fetch information about the currently set ACL token.
""" + CLIENT_OPTIONS_HELP + """
Self Options:

  -json
    Output the ACL token in a JSON format.
"""


def _self(client: Client, _: str) -> ACLToken:
    if not client.token:
        raise CommandFailed("No token present in the environment or set via the CLI flag")
    return ACLTokens(client).self()[0]


run = InfoCommand(None, "Error fetching self token: ", _self, token_text).run
