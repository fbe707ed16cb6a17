"""`caravan job plan <path>`: what `job run` would do, without doing it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.formatting import format_json
from caravan.cli.job_run import load_job
from caravan.cli.job_vars import VAR_OPTIONS_HELP, add_var_flags
from caravan.cli.plan_format import CHECK_INDEX_HELP, dry_run_text, job_diff_text, plan_exit_code
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan job plan [options] <path>
Alias: caravan plan

  Plan invokes a dry-run of the scheduler to determine the effects of submitting
  either a new or updated version of a job. The plan will not result in any
  changes to the cluster but gives insight into whether the job could be run
  successfully and how it would affect existing allocations.

  A job modify index is returned with the plan. This value can be used when
  submitting the job using "caravan job run -check-index", which will check that
  the job was not modified between the plan and run command before invoking the
  scheduler. This ensures the job has not been modified since the plan.

  Plan exit codes: 0 (no allocations created or destroyed), 1 (allocations
  created or destroyed), 255 (error).
""" + CLIENT_OPTIONS_HELP + """
Plan Options:

  -diff
    Determines whether the diff between the remote job and planned job is shown.
    Defaults to true.

  -json
    Output the plan in its JSON format.

  -policy-override
    Sets the flag to force override any soft mandatory Sentinel policies.

  -verbose
    Increase diff verbosity.
""" + VAR_OPTIONS_HELP

_ERROR = 255  # plan's exit codes 0 and 1 say what would change; errors are 255


@contextmanager
def _exit_code(code: int) -> Iterator[None]:
    try:
        yield
    except CommandFailed as err:
        raise CommandFailed(str(err), code=code) from err


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("json", "verbose", "policy-override"):
        fs.bool_flag(name)
    fs.bool_flag("diff", True)
    add_var_flags(fs)
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <path>")
    path = flags.args[0]
    with _exit_code(_ERROR):
        job = load_job(path, flags)
        client = make_client(flags)
        if job.region:
            client.set_region(job.region)
        if "namespace" in job.model_fields_set:  # else -namespace decides, as in `job run`
            client.set_namespace(job.namespace)
        with reported_as("Error during plan: "):
            plan = client.jobs.plan(job, diff=True,
                                    policy_override=flags.get_bool("policy-override"))
    if as_json:
        ui.output(format_json(plan.to_wire()))
        return plan_exit_code(plan)
    if flags.get_bool("diff") and plan.diff is not None:
        ui.output(job_diff_text(plan.diff, flags.get_bool("verbose")).strip() + "\n")
    ui.output("Scheduler dry-run:")
    ui.output(dry_run_text(plan, job.type))
    ui.output("")
    if plan.warnings:
        ui.output(f"Job Warnings:\n{plan.warnings}\n")
    namespace = flags.get_str("namespace")
    ui.output(f"Job Modify Index: {plan.job_modify_index}")
    ui.output(CHECK_INDEX_HELP.format(index=plan.job_modify_index, path=path,
                                      args=f'-namespace="{namespace}" ' if namespace else ""))
    return plan_exit_code(plan)
