"""`caravan job periodic force <job>`: launch a periodic job's child now."""

from __future__ import annotations

from caravan.api import QueryOptions
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import id_length
from caravan.cli.listings import job_stub_table
from caravan.cli.monitor import EvalMonitor
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan job periodic force <job id>

  This command is used to force the creation of a new instance of a periodic job.
  This is used to immediately run a periodic job, even if it violates the job's
  prohibit_overlap setting.
""" + CLIENT_OPTIONS_HELP + """
Periodic Force Options:

  -detach
    Return immediately instead of entering monitor mode. After the force,
    the evaluation ID will be printed to the screen, which can be used to
    examine the evaluation using the eval-status command.

  -verbose
    Display full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("detach", "verbose"):
        fs.bool_flag(name)
    flags = fs.parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <job id>")
    client = make_client(flags)
    prefix = flags.args[0].strip()
    with reported_as(f'Error querying job prefix "{prefix}": '):
        stubs, _ = client.jobs.list(prefix=prefix)
    periodic = [s for s in stubs if s.periodic]
    if not periodic:
        raise CommandFailed(f'No periodic job(s) with prefix or ID "{prefix}" found')
    exact = [s for s in periodic if s.id == prefix]
    if len(periodic) > 1 and not exact:
        table = job_stub_table(periodic, client.namespace == "*")
        raise CommandFailed(f'Prefix "{prefix}" matched multiple jobs\n\n{table}')
    job = exact[0] if exact else periodic[0]
    with reported_as(f'Error forcing periodic job "{job.id}": '):
        resp = client.jobs.periodic_force(job.id, QueryOptions(namespace=job.namespace))
    if flags.get_bool("detach"):
        ui.output("Force periodic successful")
        ui.output(f"Evaluation ID: {resp.eval_id}")
        return 0
    return EvalMonitor(client, ui, id_length(flags.get_bool("verbose"))).monitor(resp.eval_id)
