"""`caravan acl token update [-name N] [-type T] [-global] [-policy P]... <accessor>`."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.acl_format import token_text
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.errors import UsageError

HELP = """
Usage: caravan acl token update [options] <token_accessor_id>

  Update is used to update an existing ACL token. Requires a management token.
""" + CLIENT_OPTIONS_HELP + """
Update Options:

  -name=""
    Sets the human readable name for the ACL token.

  -type="client"
    Sets the type of token. Must be one of "client" or "management".

  -global=false
    Toggles the global mode of the token. Global tokens are replicated to all regions.

  -policy=""
    Specifies a policy to associate with the token. Can be specified multiple times,
    but only with client type tokens.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.list_flag("policy")
    fs.string_flag("name")
    fs.string_flag("type")
    fs.bool_flag("global")
    flags = fs.parse(args)
    policies = flags.get_list("policy")
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <token_accessor_id>")
    tokens = ACLTokens(make_client(flags))
    with reported_as("Error fetching token: "):
        token, _ = tokens.info(flags.args[0])
    changes: dict[str, object] = {"global_": flags.get_bool("global")}
    if flags.get_str("name"):
        changes["name"] = flags.get_str("name")
    if flags.get_str("type"):
        changes["type"] = flags.get_str("type")
    if policies:
        changes["policies"] = policies
    with reported_as("Error updating token: "):
        updated = tokens.update(token.model_copy(update=changes))
    ui.output(token_text(updated))
    return 0
