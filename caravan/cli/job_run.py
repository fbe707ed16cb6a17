"""`caravan job run <file>`: parse a job file locally, register it, monitor its evaluation."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.flags import Flags
from caravan.cli.formatting import format_json, id_length
from caravan.cli.job_vars import VAR_OPTIONS_HELP, add_var_flags, var_inputs
from caravan.cli.deployment_actions import follow_deployment
from caravan.cli.monitor import EvalMonitor
from caravan.cli.periodic_format import next_launch_text
from caravan.errors import CommandFailed, UsageError
from caravan.jobspec import parse_file
from caravan.structs import Job

HELP = """
Usage: caravan job run [options] <path>
Alias: caravan run

  Starts running a new job or updates an existing job using the specification
  located at <path>, an HCL2 or JSON job file. The file is parsed locally, then
  submitted, and the evaluation it creates is monitored until it completes.

  Exit codes: 0 when every allocation was placed, 2 when some could not be placed
  (the reasons are printed), 1 on any other error.
""" + CLIENT_OPTIONS_HELP + """
Run Options:

  -detach
    Return immediately instead of entering monitor mode. The evaluation ID is
    printed to stdout.

  -output
    Output the JSON that would be submitted to the HTTP API without submitting.

  -policy-override
    Sets the flag to force override any soft mandatory policies.

  -preserve-counts
    Keep the current task group counts of an already running job.

  -check-index
    Register the job only if its modify index still equals this value
    (0: only if the job does not exist yet).

  -eval-priority
    Override the priority of the evaluation created for this job.

  -verbose
    Display full information.
""" + VAR_OPTIONS_HELP


def load_job(path: str, flags: Flags) -> Job:
    """The job file with the command's -var, -var-file and NOMAD_VAR_ values."""
    with reported_as("Error getting job struct: "):
        return parse_file(path, var_inputs(flags, path))


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("detach", "verbose", "output", "policy-override", "preserve-counts", "json"):
        fs.bool_flag(name)
    add_var_flags(fs)
    fs.string_flag("check-index")
    fs.int_flag("eval-priority")
    flags = fs.parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <path>")
    check_index = flags.get_str("check-index")
    if check_index and not check_index.isdigit():
        raise CommandFailed(
            f'Error parsing check-index value "{check_index}": invalid syntax')

    job = load_job(flags.args[0], flags)
    if flags.get_bool("output"):
        ui.output(format_json({"Job": job.to_wire()}))
        return 0

    client = make_client(flags)
    if job.region:
        client.set_region(job.region)
    if "namespace" in job.model_fields_set:
        # The file's own namespace wins; a file without one goes where -namespace
        # (or NOMAD_NAMESPACE) says, as with Nomad.
        client.set_namespace(job.namespace)
    with reported_as("Error submitting job: "):
        resp = client.jobs.register(
            job, enforce_index=bool(check_index),
            job_modify_index=int(check_index or 0),
            policy_override=flags.get_bool("policy-override"),
            preserve_counts=flags.get_bool("preserve-counts"),
            eval_priority=flags.get_int("eval-priority"))

    if resp.warnings:
        ui.output(f"Job Warnings:\n{resp.warnings}\n")
    periodic, parameterized = job.periodic is not None, job.is_parameterized()
    if flags.get_bool("detach") or periodic or parameterized or not resp.eval_id:
        ui.output("Job registration successful")
        launch = next_launch_text(job, ui.now_ns()) if periodic else None
        if launch:
            ui.output(f"Approximate next launch time: {launch}")
        elif not parameterized and resp.eval_id:
            ui.output(f"Evaluation ID: {resp.eval_id}")
        return 0
    verbose = flags.get_bool("verbose")
    monitor = EvalMonitor(client, ui, id_length(verbose))
    code = monitor.monitor(resp.eval_id)
    # As Nomad's: a service job's deployment is followed to its end, which sets the exit code.
    return follow_deployment(client, ui, monitor.deployment_id, code, verbose=verbose)
