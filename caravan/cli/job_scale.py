"""`caravan job scale <job> [<group>] <count>`: set a group's count (a new job version)."""

from __future__ import annotations

from caravan.api import QueryOptions
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import id_length
from caravan.cli.lookup import job_id_by_prefix
from caravan.cli.monitor import EvalMonitor
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan job scale [options] <job> [<group>] <count>

  Perform a scaling action by altering the count within a job group. When the job
  has a single group, <group> may be left out. The evaluation created is
  monitored like `job run` does.
""" + CLIENT_OPTIONS_HELP + """
Scale Options:

  -detach
    Return immediately instead of entering monitor mode.

  -verbose
    Display full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("detach", "verbose"):
        fs.bool_flag(name)
    flags = fs.parse(args)
    if not 2 <= len(flags.args) <= 3:
        raise UsageError("Command requires at least two arguments and no more than three")
    try:
        count = int(flags.args[-1])
    except ValueError as err:
        raise CommandFailed(f"Failed to convert count string to int: {err}") from None
    client = make_client(flags)
    job_id, namespace = job_id_by_prefix(client, flags.args[0].strip())
    q = QueryOptions(namespace=namespace or None)
    with reported_as("Error querying job: "):
        job, _ = client.jobs.info(job_id, q)
    group = flags.args[1] if len(flags.args) == 3 else ""
    if not group:
        if len(job.task_groups) != 1:
            raise CommandFailed("Group name required")
        group = job.task_groups[0].name
    with reported_as("Error submitting scaling request: "):
        resp = client.jobs.scale(job_id, group, count, "submitted using the caravan CLI", q)
    if flags.get_bool("detach"):
        ui.output("Job scale successful")
        ui.output("Evaluation ID: " + resp.eval_id)
        return 0
    return EvalMonitor(client, ui, id_length(flags.get_bool("verbose"))).monitor(resp.eval_id)
