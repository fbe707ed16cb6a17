"""`caravan service delete <service_name> <service_id>`: remove one registration."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.errors import UsageError

HELP = """
Usage: caravan service delete [options] <service_name> <service_id>

  Delete removes one service registration. Its allocation registers it again
  while it runs: this is for registrations whose allocation is gone.
""" + CLIENT_OPTIONS_HELP


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set().parse(args)
    if len(flags.args) != 2:
        raise UsageError("This command takes two arguments: <service_name> and <service_id>")
    with reported_as("Error deleting service registration: "):
        make_client(flags).services.delete(flags.args[0], flags.args[1])
    ui.output("Successfully deleted service registration")
    return 0
