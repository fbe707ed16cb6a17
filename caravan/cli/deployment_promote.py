"""`caravan deployment promote [-group g]... <deployment>`: promote its canaries."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, make_client, reported_as
from caravan.cli.deployment_actions import action_flags, follow
from caravan.cli.deployment_lookup import deployment_by_prefix, one_deployment_argument
from caravan.cli.formatting import id_length

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


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = action_flags()
    fs.list_flag("group")
    flags = fs.parse(args)
    prefix = one_deployment_argument(flags.args)
    client = make_client(flags)
    verbose = flags.get_bool("verbose")
    d = deployment_by_prefix(client, prefix, id_length(verbose))
    groups = flags.get_list("group") or None
    with reported_as("Error promoting deployment: "):
        reply = client.deployments.promote(d.id, groups)
    return follow(client, ui, reply, detach=flags.get_bool("detach"), verbose=verbose)
