"""`caravan eval delete <eval>`: delete an evaluation by ID while the eval broker is
paused (Nomad's messages; `-filter` is not supported by caravan)."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan eval delete [options] <evaluation>

  Delete an evaluation by ID. The eval broker must be paused first
  (caravan operator scheduler set-config -pause-eval-broker=true); resume it
  once done. This command requires a management token.
""" + CLIENT_OPTIONS_HELP + """
Eval Delete Options:

  -yes
    Bypass the confirmation prompt (deleting by ID never asks).
"""

_PAUSE_HINT = ('To delete evaluations you must first pause the eval broker by running '
               '"caravan operator scheduler set-config -pause-eval-broker=true"\n'
               'After the deletion is complete, unpause the eval broker by running '
               '"caravan operator scheduler set-config -pause-eval-broker=false"')


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.string_flag("filter")
    fs.bool_flag("yes")
    flags = fs.parse(args)
    if flags.get_str("filter"):
        raise UsageError("Error validating command args and flags: deleting evaluations by "
                         "filter is not supported by caravan; name one evaluation")
    if len(flags.args) != 1:
        raise UsageError("Error validating command args and flags: expected 1 argument, "
                         f"got {len(flags.args)}")
    client = make_client(flags)
    with reported_as("Error querying scheduler configuration: "):
        reply, _ = client.operator.scheduler_get_configuration()
    if not reply.scheduler_config.pause_eval_broker:
        ui.error("Eval broker is not paused")
        ui.output(_PAUSE_HINT)
        return 1
    with reported_as("Error deleting evaluations: "):
        ev, _ = client.evaluations.info(flags.args[0])
        deleted = client.evaluations.delete([ev.id])
    if not deleted:
        raise CommandFailed("No evaluations were deleted")
    ui.output(f"Successfully deleted {deleted} evaluation{'s' if deleted != 1 else ''}")
    return 0
