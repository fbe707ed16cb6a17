"""`caravan acl token info <accessor>`: one token (its secret is never shown again)."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.acl_format import token_text
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.object_commands import InfoCommand

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


run = InfoCommand("<token_accessor_id>", "Error fetching token: ",
                  lambda client, accessor: ACLTokens(client).info(accessor)[0], token_text).run
