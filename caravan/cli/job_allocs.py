"""`caravan job allocs <job>`: the allocations of a job, Nomad's table."""

from __future__ import annotations

from caravan.api import QueryOptions
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.formatting import format_json, id_length
from caravan.cli.listings import alloc_stub_table
from caravan.cli.lookup import job_id_by_prefix
from caravan.errors import UsageError

HELP = """
Usage: caravan job allocs [options] <job>

  Display allocations for a particular job.
""" + CLIENT_OPTIONS_HELP + """
Allocs Options:

  -all
    Display all allocations matching the job ID, even those from an older
    instance of the job.

  -json
    Output the allocations in a JSON format.

  -verbose
    Display full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("all", "json", "verbose"):
        fs.bool_flag(name)
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <job>")
    client = make_client(flags)
    job_id, namespace = job_id_by_prefix(client, flags.args[0].strip())
    with reported_as(f"Error retrieving allocations for {job_id}: "):
        stubs, _ = client.jobs.allocations(job_id, all=flags.get_bool("all"),
                                           q=QueryOptions(namespace=namespace or None))
    if as_json:
        ui.output(format_json([s.to_wire() for s in stubs]))
    elif not stubs:
        ui.output(f"No allocations found for job {job_id}")
    else:
        verbose = flags.get_bool("verbose")
        ui.output(alloc_stub_table(stubs, verbose, id_length(verbose), ui.now_ns()))
    return 0
