"""`caravan deployment resume <deployment>`: go on placing a paused deployment's allocations."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui
from caravan.cli.deployment_actions import DeploymentAction

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


RESUME = DeploymentAction(error="Error resuming deployment: ",
                          write=lambda client, d, _: client.deployments.pause(d.id, False),
                          said=lambda d, _: f'Deployment "{d.id}" resumed', blank_after=True)


def run(args: list[str], ui: Ui | None = None) -> int:
    return RESUME.run(args, ui or Ui())
