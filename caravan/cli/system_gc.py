"""`caravan system gc`: collect every terminal job, evaluation, allocation and deployment
now, whatever its age (prints nothing on success, as Nomad's)."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.errors import UsageError

HELP = """
Usage: caravan system gc [options]

  Initializes a garbage collection of jobs, evaluations, allocations, and
  deployments in the cluster.

  If ACLs are enabled, this option requires a management token.
""" + CLIENT_OPTIONS_HELP


def run(args: list[str], ui: Ui | None = None) -> int:
    flags = client_flag_set().parse(args)
    if flags.args:
        raise UsageError("This command takes no arguments")
    client = make_client(flags)
    with reported_as("Error running system garbage-collection: "):
        client.system.garbage_collect()
    return 0
