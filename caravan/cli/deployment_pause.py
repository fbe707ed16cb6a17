"""`caravan deployment pause <deployment>`: stop placing its allocations until resumed."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, make_client, reported_as
from caravan.cli.deployment_actions import action_flags
from caravan.cli.deployment_lookup import deployment_by_prefix, one_deployment_argument
from caravan.cli.formatting import id_length

HELP = """
Usage: caravan deployment pause [options] <deployment id>

  Pause is used to pause a deployment. Pausing a deployment will pause the
  placement of new allocations as part of rolling deployment.
""" + CLIENT_OPTIONS_HELP + """
Pause Options:

  -verbose
    Display full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = action_flags().parse(args)
    prefix = one_deployment_argument(flags.args)
    client = make_client(flags)
    d = deployment_by_prefix(client, prefix, id_length(flags.get_bool("verbose")))
    with reported_as("Error pausing deployment: "):
        client.deployments.pause(d.id, True)
    ui.output(f'Deployment "{d.id}" paused')
    return 0
