"""`caravan job history <job>`: the versions of a job, newest first."""

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
from caravan.cli.formatting import format_json, format_kv, format_unix_nano
from caravan.cli.lookup import job_id_by_prefix
from caravan.cli.plan_format import job_diff_text
from caravan.errors import CommandFailed, UsageError
from caravan.structs import Job
from caravan.structs.diff import JobDiff

HELP = """
Usage: caravan job history [options] <job>

  History is used to display the known versions of a particular job.
""" + CLIENT_OPTIONS_HELP + """
History Options:

  -p
    Display the difference between each version of the job and its
    predecessor.

  -full
    Display the full job definition of each version.

  -version <job version>
    Display only the history for the given job version.

  -json
    Output the job versions in a JSON format.
"""


def version_text(job: Job, diff: JobDiff | None = None) -> str:
    pairs: list[tuple[str, object]] = [
        ("Version", job.version), ("Stable", str(job.stable).lower()),
        ("Submit Date", format_unix_nano(job.submit_time))]
    if diff is not None and diff.type != "None":
        pairs.append(("Diff", "\n" + job_diff_text(diff, verbose=False).strip()))
    return format_kv(pairs)


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("json", "p", "full"):
        fs.bool_flag(name)
    fs.string_flag("t")
    fs.string_flag("version")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <job>")
    client = make_client(flags)
    job_id, namespace = job_id_by_prefix(client, flags.args[0].strip())
    with reported_as("Error retrieving job versions: "):
        versions, diffs, _ = client.jobs.version_diffs(
            job_id, QueryOptions(namespace=namespace or None))
    by_version: dict[int, JobDiff] = ({v.version: d for v, d in zip(versions, diffs)}
                                      if flags.get_bool("p") else {})
    wanted = flags.get_str("version")
    if wanted:
        versions = [v for v in versions if str(v.version) == wanted]
        if not versions:
            raise CommandFailed(f"Job version {wanted} not found")
    if as_json:
        ui.output(format_json([v.to_wire() for v in versions]))
    elif flags.get_bool("full"):
        ui.output("\n\n".join(version_text(v, by_version.get(v.version)) + "\n"
                               + format_json(v.to_wire()) for v in versions))
    else:
        ui.output("\n\n".join(version_text(v, by_version.get(v.version)) for v in versions))
    return 0
