"""`caravan job status [<job>]`: the job list, or one job's summary, placement
failures and allocations in Nomad's layout."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from caravan.api import Client, QueryOptions
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.deployment_format import latest_deployment
from caravan.cli.formatting import format_json, format_kv, format_list, format_unix_nano, id_length
from caravan.cli.listings import alloc_stub_table, job_eval_table, job_status_text, job_stub_table
from caravan.cli.lookup import job_id_by_prefix
from caravan.cli.periodic_format import next_launch_row
from caravan.cli.placement import failed_groups, format_alloc_metrics
from caravan.errors import UsageError
from caravan.structs import AllocListStub, Deployment, Evaluation, Job, JobSummary

HELP = """
Usage: caravan job status [options] <job>

  Display status information about a job. If no job ID is given, a list of all
  known jobs will be displayed.
""" + CLIENT_OPTIONS_HELP + """
Status Options:

  -short
    Display short output. Used only when a single job is being queried.

  -evals
    Display the evaluations associated with the job.

  -all-allocs
    Display all allocations matching the job ID, including those from an older
    instance of the job.

  -json
    Output the job in its JSON format.

  -verbose
    Display full information.
"""

# Nomad shows at most this many task groups under "Placement Failure".
MAX_FAILED_GROUPS = 5


@dataclass(frozen=True)
class JobView:
    """Everything `job status <job>` prints, fetched up front."""

    job: Job
    summary: JobSummary
    allocs: Sequence[AllocListStub]
    evals: Sequence[Evaluation]
    children: Sequence[tuple[str, str]] = ()
    deployment: Deployment | None = None  # the job's latest, if it ever had one


def basic_info(job: Job, now_ns: int) -> str:
    rows: list[tuple[str, object]] = [
        ("ID", job.id), ("Name", job.name),
        ("Submit Date", format_unix_nano(job.submit_time)),
        ("Type", job.type), ("Priority", job.priority),
        ("Datacenters", ",".join(job.datacenters or [])),
        ("Namespace", job.namespace), ("Node Pool", job.node_pool),
        ("Status", job_status_text(job.status, job.stop)),
        ("Periodic", "true" if job.periodic is not None else "false"),
        ("Parameterized", "true" if job.is_parameterized() else "false"),
    ]
    launch = next_launch_row(job, now_ns)
    return format_kv([*rows, launch] if launch else rows)


def summary_table(summary: JobSummary) -> str:
    rows: list[list[object]] = [["Task Group", "Queued", "Starting", "Running", "Failed",
                                 "Complete", "Lost", "Unknown"]]
    for group in sorted(summary.summary):
        s = summary.summary[group]
        rows.append([group, s.queued, s.starting, s.running, s.failed, s.complete, s.lost,
                     s.unknown])
    return format_list(rows)


def placement_failure(evals: Sequence[Evaluation]) -> str | None:
    """Nomad's `Placement Failure` section: shown while an evaluation is blocked,
    from the latest evaluation that recorded failures."""
    if not any(e.status == "blocked" for e in evals):
        return None
    failed = [e for e in evals if e.failed_tg_allocs]
    if not failed:
        return None
    latest = max(failed, key=lambda e: e.create_index)
    groups = failed_groups(latest)
    blocks = []
    for group, metric in groups[:MAX_FAILED_GROUPS]:
        blocks.append("\n".join([f'Task Group "{group}":', *format_alloc_metrics(metric)]))
    text = "\n\n".join(blocks)
    if len(groups) > MAX_FAILED_GROUPS:
        text += ("\n\nPlacement failures truncated. To see remainder run:\n"
                 f"caravan eval status {latest.id}")
    return text


def format_job_status(view: JobView, verbose: bool, show_evals: bool, now_ns: int) -> str:
    """The full `job status <job>` text (pure)."""
    job, length = view.job, id_length(verbose)
    parts = [basic_info(job, now_ns)]
    special = job.periodic is not None or job.is_parameterized()
    if job.is_parameterized() and job.parameterized_job is not None:
        p = job.parameterized_job
        parts.append("Parameterized Job\n" + format_kv([
            ("Payload", p.payload), ("Required Metadata", ", ".join(p.meta_required or [])),
            ("Optional Metadata", ", ".join(p.meta_optional or []))]))
    if not special:
        parts.append("Summary\n" + summary_table(view.summary))
    c = view.summary.children
    if special or c.pending + c.running + c.dead > 0:
        title = "Parameterized Job Summary" if job.is_parameterized() \
            else "Children Job Summary"
        parts.append(f"{title}\n" + format_list([["Pending", "Running", "Dead"],
                                                 [c.pending, c.running, c.dead]]))
    if special:
        parts.append(_children_text(job, view.children))
        return "\n\n".join(parts)
    if verbose or show_evals:
        parts.append("Evaluations\n" + job_eval_table(view.evals, length))
    failure = placement_failure(view.evals)
    if failure:
        parts.append("Placement Failure\n" + failure)
    if view.deployment is not None:
        parts.append("Latest Deployment\n" + latest_deployment(view.deployment, length))
    parts.append("Allocations\n" + alloc_stub_table(view.allocs, verbose, length, now_ns))
    return "\n\n".join(parts)


def _children_text(job: Job, children: Sequence[tuple[str, str]]) -> str:
    periodic = not job.is_parameterized()
    if not children:
        return ("No instances of periodic job found" if periodic
                else "No dispatched instances of parameterized job found")
    title = "Previously Launched Jobs" if periodic else "Dispatched Jobs"
    return f"{title}\n" + format_list([["ID", "Status"], *children])


def fetch_view(client: Client, job_id: str, namespace: str, all_allocs: bool) -> JobView:
    q = QueryOptions(namespace=namespace or None)
    with reported_as("Error querying job: "):
        job, _ = client.jobs.info(job_id, q)
        summary, _ = client.jobs.summary(job_id, q)
        allocs, _ = client.jobs.allocations(job_id, all=all_allocs, q=q)
        evals, _ = client.jobs.evaluations(job_id, q)
        children: list[tuple[str, str]] = []
        if job.periodic is not None or job.is_parameterized():
            suffix = "/periodic-" if not job.is_parameterized() else "/dispatch-"
            stubs, _ = client.jobs.list(prefix=job.id + suffix, q=q)
            children = [(s.id, s.status) for s in stubs if s.parent_id == job.id]
            return JobView(job, summary, allocs, evals, children)
        deployment, _ = client.deployments.latest_of_job(job.id, q)
    return JobView(job, summary, allocs, evals, deployment=deployment)


def _json_entry(view: JobView) -> dict[str, object]:
    return {"Summary": view.summary.to_wire(),
            "Allocations": [a.to_wire() for a in view.allocs],
            "LatestDeployment": None,
            "Evaluations": [e.to_wire() for e in view.evals]}


def _list_jobs(client: Client, ui: Ui, as_json: bool, all_namespaces: bool,
               all_allocs: bool) -> int:
    with reported_as("Error querying jobs: "):
        jobs, _ = client.jobs.list()
    if not jobs:
        ui.output("No running jobs")
    elif as_json:
        views = [fetch_view(client, j.id, j.namespace, all_allocs) for j in jobs]
        ui.output(format_json([_json_entry(v) for v in views]))
    else:
        ui.output(job_stub_table(jobs, all_namespaces))
    return 0


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("short", "evals", "all-allocs", "json", "verbose", "ui"):
        fs.bool_flag(name)
    fs.string_flag("t")
    flags = fs.parse(args)
    if len(flags.args) > 1:
        raise UsageError("This command takes either one or no arguments")
    client = make_client(flags)
    all_namespaces = client.namespace == "*"
    as_json, all_allocs = check_output_flags(flags), flags.get_bool("all-allocs")
    if not flags.args:
        return _list_jobs(client, ui, as_json, all_namespaces, all_allocs)

    job_id, namespace = job_id_by_prefix(client, flags.args[0].strip(), all_namespaces)
    view = fetch_view(client, job_id, namespace, all_allocs)
    if as_json:
        ui.output(format_json([_json_entry(view)]))
    elif flags.get_bool("short"):
        ui.output(basic_info(view.job, ui.now_ns()))
    else:
        ui.output(format_job_status(view, flags.get_bool("verbose"), flags.get_bool("evals"),
                                    ui.now_ns()))
    return 0
