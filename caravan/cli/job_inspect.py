"""`caravan job inspect <job>`: the submitted job, as JSON."""

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
from caravan.cli.formatting import format_json
from caravan.cli.lookup import job_id_by_prefix
from caravan.errors import CommandFailed, UsageError
from caravan.structs import Job

HELP = """
Usage: caravan job inspect [options] <job>
Alias: caravan inspect

  Inspect is used to see the specification of a submitted job, as the JSON
  the HTTP API takes (`{"Job": {...}}`).
""" + CLIENT_OPTIONS_HELP + """
Inspect Options:

  -version <job version>
    Display the job at the given job version.

  -json
    Output the job in its JSON format (without the "Job" wrapper).
"""


def _job_version(jobs: list[Job], version: int) -> Job:
    for job in jobs:
        if job.version == version:
            return job
    raise CommandFailed(f"Error inspecting job: job version {version} not found")


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("json")
    fs.string_flag("t")
    fs.string_flag("version")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    client = make_client(flags)
    if not flags.args and as_json:
        with reported_as("Error querying jobs: "):
            stubs, _ = client.jobs.list()
        ui.output(format_json([j.to_wire() for j in stubs]))
        return 0
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <job>")
    job_id, namespace = job_id_by_prefix(client, flags.args[0].strip())
    version = flags.get_str("version")
    if version and not version.isdigit():
        raise CommandFailed(f'Error parsing version value "{version}": invalid syntax')
    q = QueryOptions(namespace=namespace or None)
    with reported_as("Error inspecting job: "):
        if version:
            versions, _ = client.jobs.versions(job_id, q)
            job = _job_version(versions, int(version))
        else:
            job, _ = client.jobs.info(job_id, q)
    ui.output(format_json(job.to_wire() if as_json else {"Job": job.to_wire()}))
    return 0
