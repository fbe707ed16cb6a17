"""`caravan deployment promote [-group g]... <deployment>`: promote its canaries."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui
from caravan.cli.deployment_actions import DeploymentAction, action_flags

HELP = """
Usage: caravan deployment promote [options] <deployment id>

  Promote is used to promote task groups in a deployment. Promotion should occur
  when the deployment has placed canaries for a task group and those canaries
  have been deemed healthy. When a task group is promoted, the rolling upgrade of
  the remaining allocations is unblocked.
""" + CLIENT_OPTIONS_HELP + """
Promote Options:

  -group
    Group may be specified many times and is used to promote that particular
    group. If no specific groups are specified, all groups are promoted.

  -detach
    Return immediately instead of entering monitor mode.

  -verbose
    Display full information.
"""


PROMOTE = DeploymentAction(
    error="Error promoting deployment: ",
    write=lambda client, d, flags: client.deployments.promote(
        d.id, flags.get_list("group") or None))


def run(args: list[str], ui: Ui | None = None) -> int:
    fs = action_flags()
    fs.list_flag("group")
    return PROMOTE.run(args, ui or Ui(), fs)
