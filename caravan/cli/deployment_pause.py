"""`caravan deployment pause <deployment>`: stop placing its allocations until resumed."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui
from caravan.cli.deployment_actions import DeploymentAction

HELP = """
Usage: caravan deployment pause [options] <deployment id>

  Pause is used to pause a deployment. Pausing a deployment will pause the
  placement of new allocations as part of rolling deployment.
""" + CLIENT_OPTIONS_HELP + """
Pause Options:

  -verbose
    Display full information.
"""


PAUSE = DeploymentAction(error="Error pausing deployment: ",
                         write=lambda client, d, _: client.deployments.pause(d.id, True),
                         said=lambda d, _: f'Deployment "{d.id}" paused', follows=False)


def run(args: list[str], ui: Ui | None = None) -> int:
    return PAUSE.run(args, ui or Ui())
