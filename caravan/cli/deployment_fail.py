"""`caravan deployment fail <deployment>`: mark it failed (and, with auto_revert, roll back)."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, make_client, reported_as
from caravan.cli.deployment_actions import action_flags, follow
from caravan.cli.deployment_lookup import deployment_by_prefix, one_deployment_argument
from caravan.cli.formatting import id_length

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


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = action_flags().parse(args)
    prefix = one_deployment_argument(flags.args)
    client = make_client(flags)
    verbose = flags.get_bool("verbose")
    d = deployment_by_prefix(client, prefix, id_length(verbose))
    with reported_as("Error failing deployment: "):
        reply = client.deployments.fail(d.id)
    if reply.reverted_job_version is None:
        ui.output(f'Deployment "{d.id}" failed')
    else:
        ui.output(f'Deployment "{d.id}" failed. Auto-reverted to job version '
                  f"{reply.reverted_job_version}.")
    code = follow(client, ui, reply, detach=flags.get_bool("detach"), verbose=verbose)
    ui.output("")
    return code
