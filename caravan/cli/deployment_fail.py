"""`caravan deployment fail <deployment>`: mark it failed (and, with auto_revert, roll back)."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui
from caravan.cli.deployment_actions import DeploymentAction
from caravan.structs import Deployment, DeploymentUpdateResponse

HELP = """
Usage: caravan deployment fail [options] <deployment id>

  Fail is used to mark a deployment as failed. Failing a deployment will stop
  the placement of new allocations as part of rolling deployment and if the job
  is configured to auto revert, the job will attempt to roll back to a stable
  version.
""" + CLIENT_OPTIONS_HELP + """
Fail Options:

  -detach
    Return immediately instead of entering monitor mode.

  -verbose
    Display full information.
"""


def _said(d: Deployment, reply: DeploymentUpdateResponse | None) -> str:
    if reply is None or reply.reverted_job_version is None:
        return f'Deployment "{d.id}" failed'
    return (f'Deployment "{d.id}" failed. Auto-reverted to job version '
            f"{reply.reverted_job_version}.")


FAIL = DeploymentAction(error="Error failing deployment: ",
                        write=lambda client, d, _: client.deployments.fail(d.id),
                        said=_said, blank_after=True)


def run(args: list[str], ui: Ui | None = None) -> int:
    return FAIL.run(args, ui or Ui())
