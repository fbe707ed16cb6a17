"""`caravan alloc stop <alloc>`: stop an allocation (the scheduler replaces it) and
monitor the evaluation."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import id_length
from caravan.cli.lookup import resolve_alloc
from caravan.cli.monitor import EvalMonitor
from caravan.errors import UsageError

HELP = """
Usage: caravan alloc stop [options] <allocation>

  Stop an existing allocation. The allocation is stopped and a replacement is
  scheduled (batch allocations are rescheduled). The evaluation that does so is
  monitored unless -detach is given.
""" + CLIENT_OPTIONS_HELP + """
Stop Specific Options:

  -detach
    Return immediately instead of entering monitor mode. The evaluation ID is
    printed to stdout.

  -no-shutdown-delay
    Ignore the group and task shutdown_delay configuration.

  -verbose
    Show full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("detach", "verbose", "no-shutdown-delay"):
        fs.bool_flag(name)
    flags = fs.parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <alloc-id>")
    verbose = flags.get_bool("verbose")
    client = make_client(flags)
    alloc = resolve_alloc(client, flags.args[0], verbose, ui.now_ns())
    batch = alloc.job is not None and alloc.job.type == "batch"
    with reported_as("Error stopping allocation: "):
        resp = client.allocations.stop(
            alloc.id, reschedule=batch, no_shutdown_delay=flags.get_bool("no-shutdown-delay"))
    if flags.get_bool("detach"):
        ui.output(resp.eval_id)
        return 0
    return EvalMonitor(client, ui, id_length(verbose)).monitor(resp.eval_id)
