"""`caravan namespace delete <namespace>`."""

from __future__ import annotations

from caravan.api.namespaces import Namespaces
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.errors import CommandFailed, UsageError
from caravan.errors import CaravanError

HELP = """
Usage: caravan namespace delete [options] <namespace>

  Delete is used to remove a namespace. It must hold no running jobs or
  allocations, and `default` cannot be deleted. Requires a management token.
""" + CLIENT_OPTIONS_HELP


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set().parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <namespace>")
    name = flags.args[0]
    try:
        Namespaces(make_client(flags)).delete(name)
    except CaravanError as exc:
        raise CommandFailed(f"Error deleting namespace: {exc}") from exc
    ui.output(f'Successfully deleted namespace "{name}"!')
    return 0
