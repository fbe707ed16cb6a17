"""`caravan job validate <file>`: check a job file locally (syntax and Nomad's rules)."""

from __future__ import annotations

from caravan.cli.common import Ui, reported_as
from caravan.cli.flags import FlagSet
from caravan.cli.job_run import load_job
from caravan.cli.job_vars import VAR_OPTIONS_HELP, add_var_flags
from caravan.errors import UsageError
from caravan.structs import canonicalize, validate_job

HELP = """
Usage: caravan job validate [options] <path>
Alias: caravan validate

  Checks if a given HCL2 or JSON job file has a valid specification: the file
  is parsed, Nomad's defaults are filled in and every rule the server applies
  at registration is checked, without contacting an agent.

Validate Options:
""" + VAR_OPTIONS_HELP


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = FlagSet()
    add_var_flags(fs)
    flags = fs.parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <path>")
    job = canonicalize(load_job(flags.args[0], flags))
    with reported_as("Job validation errors:\n"):
        validate_job(job)
    ui.output("Job validation successful")
    return 0
