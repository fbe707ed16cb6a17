"""`caravan deployment resume <deployment>`: go on placing a paused deployment's allocations."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, make_client, reported_as
from caravan.cli.deployment_actions import action_flags, follow
from caravan.cli.deployment_lookup import deployment_by_prefix, one_deployment_argument
from caravan.cli.formatting import id_length

HELP = """
Usage: caravan deployment resume [options] <deployment id>

  Resume is used to unpause a paused deployment. Resuming a deployment will
  resume the placement of new allocations as part of rolling deployment.
""" + CLIENT_OPTIONS_HELP + """
Resume Options:

  -detach
    Return immediately instead of entering monitor mode.

  -verbose
    Display full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = action_flags().parse(args)
    prefix = one_deployment_argument(flags.args)
    client = make_client(flags)
    verbose = flags.get_bool("verbose")
    d = deployment_by_prefix(client, prefix, id_length(verbose))
    with reported_as("Error resuming deployment: "):
        reply = client.deployments.pause(d.id, False)
    ui.output(f'Deployment "{d.id}" resumed')
    code = follow(client, ui, reply, detach=flags.get_bool("detach"), verbose=verbose)
    ui.output("")
    return code
