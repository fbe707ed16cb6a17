"""`caravan acl policy delete <name>`."""

from __future__ import annotations

from caravan.api.acl import ACLPolicies
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.errors import CommandFailed, UsageError
from caravan.errors import CaravanError

HELP = """
Usage: caravan acl policy delete <name>

  Delete is used to delete an existing ACL policy. Requires a management token.
""" + CLIENT_OPTIONS_HELP


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set().parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <name>")
    name = flags.args[0]
    try:
        ACLPolicies(make_client(flags)).delete(name)
    except CaravanError as exc:
        raise CommandFailed(f"Error deleting ACL policy: {exc}") from exc
    ui.output(f"Successfully deleted {name} policy!")
    return 0
