"""`caravan acl policy delete <name>`."""

from __future__ import annotations

from caravan.api.acl import ACLPolicies
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.object_commands import DeleteCommand

HELP = """
Usage: caravan acl policy delete <name>

  Delete is used to delete an existing ACL policy. Requires a management token.
""" + CLIENT_OPTIONS_HELP


run = DeleteCommand("<name>", "Error deleting ACL policy: ",
                    lambda client, name: ACLPolicies(client).delete(name),
                    lambda name: f"Successfully deleted {name} policy!").run
