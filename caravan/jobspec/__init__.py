"""Nomad job files (HCL2 and Nomad's JSON) into `structs.Job`, with errors that
name the file, line and field of every problem.

    parse.py       the entry points below
    hcl_body.py    one block body: names, lines, checks, conversions
    hcl_job.py     file, job and group blocks; hcl_task.py: task blocks
    hcl_common.py  constraint, restart, reschedule, string maps
    hcl_values.py  HCL value conversions; duration.py: Go durations
    fields.py      the one table of implemented and refused fields, HCL and JSON
    json_job.py    Nomad's JSON job; json_keys.py: its helpers
    request.py     API bodies that carry a job (register, validate)
    hcl_resolve.py HCL2 variables: hcl_variables.py (declarations, checks),
                   hcl_var_values.py (-var, var files, NOMAD_VAR_), hcl_locals.py,
                   hcl_eval.py (every expression in the job; the evaluator is caravan.hcl.expr)

Loading HCL text and collecting problems are `caravan.hcl`'s, shared with ACL
policies, agent files and namespace specs.
"""

from caravan.durations import parse_duration
from caravan.jobspec.hcl_var_values import VarInputs
from caravan.jobspec.parse import hcl_to_api_json, parse_file, parse_hcl, parse_json

__all__ = ["VarInputs", "hcl_to_api_json", "parse_duration", "parse_file", "parse_hcl",
           "parse_json"]
