"""`caravan job promote [-group g]... <job>`: promote the canaries of the job's latest
deployment."""

from __future__ import annotations

from caravan.api import QueryOptions
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, make_client, reported_as
from caravan.cli.deployment_actions import action_flags, follow
from caravan.cli.lookup import job_id_by_prefix
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan job promote [options] <job id>

  Promote is used to promote task groups in the most recent deployment for the
  given job. Promotion should occur when the deployment has placed canaries for a
  task group and those canaries have been deemed healthy.
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
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <job id>")
    client = make_client(flags)
    job_id, namespace = job_id_by_prefix(client, flags.args[0].strip())
    with reported_as("Error retrieving deployment: "):
        d, _ = client.deployments.latest_of_job(job_id,
                                                QueryOptions(namespace=namespace or None))
    if d is None:
        raise CommandFailed(f'Job "{job_id}" has no deployment to promote')
    with reported_as(f'Error promoting deployment "{d.id}" for job "{job_id}": '):
        reply = client.deployments.promote(d.id, flags.get_list("group") or None)
    return follow(client, ui, reply, detach=flags.get_bool("detach"),
                  verbose=flags.get_bool("verbose"))
