"""The HCL2 variable flags `job run` and `job validate` share: `-var 'name=value'`
(repeatable), `-var-file=path` (repeatable), `-hcl2-strict`, and `NOMAD_VAR_<name>`
from the environment; `file()` in the job reads relative to the job file's directory."""

from __future__ import annotations

import os

from caravan.cli.flags import FlagSet, Flags
from caravan.jobspec import VarInputs

VAR_OPTIONS_HELP = """
  -var 'key=value'
    Variable for the job file's variable blocks; can be used multiple times.

  -var-file=path
    Path to an HCL2 (or JSON) file of variable values; can be used multiple times.

  -hcl2-strict
    Whether a variable given by -var or -var-file that the job file does not
    declare is an error. Defaults to true.
"""


def add_var_flags(fs: FlagSet) -> None:
    fs.list_flag("var")
    fs.list_flag("var-file")
    fs.bool_flag("hcl2-strict", True)


def var_inputs(flags: Flags, job_path: str) -> VarInputs:
    return VarInputs(args=tuple(flags.get_list("var")), files=tuple(flags.get_list("var-file")),
                     env=dict(os.environ), strict=flags.get_bool("hcl2-strict"),
                     base_dir=os.path.dirname(job_path) or ".", allow_fs=True)
