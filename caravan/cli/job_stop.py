"""`caravan job stop <job>`: deregister (optionally purge) a job and monitor the evaluation."""

from __future__ import annotations

import sys

from caravan.api import Client, QueryOptions
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.flags import Flags
from caravan.cli.formatting import id_length
from caravan.cli.lookup import job_id_by_prefix
from caravan.cli.monitor import EvalMonitor
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan job stop [options] <job> [<job>...]
Alias: caravan stop

  Stop an existing job. The job is deregistered and its allocations are stopped;
  unless -purge is given it stays visible, with status "dead (stopped)". The
  evaluation created is monitored like `job run` does.
""" + CLIENT_OPTIONS_HELP + """
Stop Options:

  -detach
    Return immediately instead of entering monitor mode. The evaluation ID is
    printed to stdout.

  -purge
    Purge the job from the system instead of leaving it stopped.

  -yes
    Automatic yes to prompts.

  -verbose
    Display full information.
"""


def confirm(ui: Ui, job_id: str) -> int | None:
    """Ask before stopping a job named by a prefix; None to go on, else the exit code."""
    ui.stdout.write(f'Are you sure you want to stop job "{job_id}"? [y/N] ')
    ui.stdout.flush()
    answer = sys.stdin.readline()
    if not answer:
        raise CommandFailed("Failed to parse answer: EOF")
    answer = answer.strip()
    if answer == "" or answer.lower().startswith("n"):
        ui.output("Cancelling job stop")
        return 0
    if answer.lower().startswith("y") and len(answer) > 1:
        ui.output("For confirmation, an exact ‘y’ is required.")
        return 0
    if answer != "y":
        ui.output("No confirmation detected. For confirmation, an exact 'y' is required.")
        return 1
    return None


def stop_one(client: Client, ui: Ui, flags: Flags, given: str, prompt: bool) -> int:
    job_id, namespace = job_id_by_prefix(client, given)
    if prompt and given != job_id and not flags.get_bool("yes"):
        code = confirm(ui, job_id)
        if code is not None:
            return code
    with reported_as(f"Error deregistering job with id {given} err: "):
        resp = client.jobs.deregister(job_id, purge=flags.get_bool("purge"),
                                      q=QueryOptions(namespace=namespace or None))
    if not resp.eval_id:
        return 0
    if flags.get_bool("detach"):
        ui.output(resp.eval_id)
        return 0
    return EvalMonitor(client, ui, id_length(flags.get_bool("verbose"))).monitor(resp.eval_id)


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("detach", "verbose", "global", "no-shutdown-delay", "yes", "purge"):
        fs.bool_flag(name)
    fs.int_flag("eval-priority")
    flags = fs.parse(args)
    if not flags.args:
        raise UsageError("This command takes at least one argument: <job>")
    client = make_client(flags)
    codes = [stop_one(client, ui, flags, given.strip(), prompt=len(flags.args) == 1)
             for given in flags.args]
    return next((c for c in codes if c != 0), 0)
