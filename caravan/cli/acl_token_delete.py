"""`caravan acl token delete <accessor>`."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.object_commands import DeleteCommand

HELP = """
Usage: caravan acl token delete <token_accessor_id>

  Delete is used to delete an existing ACL token. Requires a management token.
""" + CLIENT_OPTIONS_HELP


run = DeleteCommand("<token_accessor_id>", "Error deleting token: ",
                    lambda client, accessor: ACLTokens(client).delete(accessor),
                    lambda accessor: f"Token {accessor} successfully deleted").run
