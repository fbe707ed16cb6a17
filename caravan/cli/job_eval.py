"""`caravan job eval <job>`: create an evaluation of the job (the scheduler runs again)."""

from __future__ import annotations

from caravan.api import QueryOptions
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import id_length, limit
from caravan.cli.lookup import job_id_by_prefix
from caravan.cli.monitor import EvalMonitor
from caravan.errors import UsageError

HELP = """
Usage: caravan job eval [options] <job>

  Force an evaluation of the provided job ID. Forcing an evaluation will trigger
  the scheduler to re-evaluate the job.
""" + CLIENT_OPTIONS_HELP + """
Eval Options:

  -force-reschedule
    Force reschedule failed allocations even if they are not currently eligible
    for rescheduling.

  -detach
    Return immediately instead of entering monitor mode.

  -verbose
    Display full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("detach", "verbose", "force-reschedule"):
        fs.bool_flag(name)
    flags = fs.parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <job>")
    client = make_client(flags)
    job_id, namespace = job_id_by_prefix(client, flags.args[0].strip())
    with reported_as("Error evaluating job: "):
        resp = client.jobs.evaluate(job_id, flags.get_bool("force-reschedule"),
                                    q=QueryOptions(namespace=namespace or None))
    length = id_length(flags.get_bool("verbose"))
    if flags.get_bool("detach"):
        ui.output(f'Created eval ID: "{limit(resp.eval_id, length)}" ')
        return 0
    return EvalMonitor(client, ui, length).monitor(resp.eval_id)
