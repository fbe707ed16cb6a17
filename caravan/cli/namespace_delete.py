"""`caravan namespace delete <namespace>`."""

from __future__ import annotations

from caravan.api.namespaces import Namespaces
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.object_commands import DeleteCommand

HELP = """
Usage: caravan namespace delete [options] <namespace>

  Delete is used to remove a namespace. It must hold no running jobs or
  allocations, and `default` cannot be deleted. Requires a management token.
""" + CLIENT_OPTIONS_HELP


run = DeleteCommand("<namespace>", "Error deleting namespace: ",
                    lambda client, name: Namespaces(client).delete(name),
                    lambda name: f'Successfully deleted namespace "{name}"!').run
