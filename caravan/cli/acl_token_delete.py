"""`caravan acl token delete <accessor>`."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.errors import CommandFailed, UsageError
from caravan.errors import CaravanError

HELP = """
Usage: caravan acl token delete <token_accessor_id>

  Delete is used to delete an existing ACL token. Requires a management token.
""" + CLIENT_OPTIONS_HELP


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set().parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <token_accessor_id>")
    accessor = flags.args[0]
    try:
        ACLTokens(make_client(flags)).delete(accessor)
    except CaravanError as exc:
        raise CommandFailed(f"Error deleting token: {exc}") from exc
    ui.output(f"Token {accessor} successfully deleted")
    return 0
