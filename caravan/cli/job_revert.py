"""`caravan job revert <job> <version>`: register an earlier version's spec again."""

from __future__ import annotations

from caravan.api import QueryOptions
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import id_length
from caravan.cli.lookup import job_id_by_prefix
from caravan.cli.monitor import EvalMonitor
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan job revert [options] <job> <version>

  Revert is used to revert a job to a prior version of the job. The available
  versions to revert to can be found using "caravan job history" command.
""" + CLIENT_OPTIONS_HELP + """
Revert Options:

  -detach
    Return immediately instead of entering monitor mode. After job revert, the
    evaluation ID will be printed to the screen.

  -verbose
    Display full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("detach", "verbose"):
        fs.bool_flag(name)
    flags = fs.parse(args)
    if len(flags.args) != 2:
        raise UsageError("This command takes two arguments: <job> <version>")
    try:
        version = int(flags.args[1])
    except ValueError:
        raise CommandFailed(f"Failed to parse job version: {flags.args[1]!r} is not a number "
                            "(caravan has no version tags)") from None
    client = make_client(flags)
    job_id, namespace = job_id_by_prefix(client, flags.args[0].strip())
    with reported_as("Error retrieving job version: "):
        resp = client.jobs.revert(job_id, version, q=QueryOptions(namespace=namespace or None))
    if not resp.eval_id:
        return 0
    if flags.get_bool("detach"):
        ui.output(resp.eval_id)
        return 0
    return EvalMonitor(client, ui, id_length(flags.get_bool("verbose"))).monitor(resp.eval_id)
