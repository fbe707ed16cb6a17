"""The jobspec entry points: job file text (HCL2 or Nomad's JSON) -> `structs.Job`.

All of them are pure apart from `parse_file` reading its file, safe to call from
any thread, and raise `InvalidInput` listing every problem found, each with the
file, line (HCL) and field path. They neither canonicalize nor validate the job:
the server does both at register time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caravan.errors import FieldError
from caravan.hcl.load import load_hcl
from caravan.hcl.problems import Problems, invalid_input
from caravan.jobspec.hcl_body import Source
from caravan.jobspec.hcl_job import decode_file
from caravan.jobspec.hcl_resolve import resolve_document
from caravan.jobspec.hcl_var_values import VarInputs
from caravan.jobspec.json_job import decode_json
from caravan.structs import Job


def parse_hcl(source: str, *, filename: str = "<input>",
              variables: VarInputs | None = None) -> Job:
    """An HCL2 job file's job, as written (not canonicalized), its variables, locals
    and functions evaluated with `variables` (by default: none given, no file access)."""
    problems = Problems(filename)
    document = load_hcl(source, problems)
    job = Job()
    if document is not None:
        lines = Source(source.splitlines(), problems)
        document = resolve_document(document, lines, variables or VarInputs())
        if document is not None:
            job = decode_file(document, lines)
    problems.raise_if_any()
    return job


def parse_json(source: str | bytes, *, filename: str = "<input>") -> Job:
    """Nomad's JSON job: `{"Job": {...}}` or a bare job object."""
    problems = Problems(filename)
    job = decode_json(source, problems)
    problems.raise_if_any()
    return job


def parse_file(path: str | Path, variables: VarInputs | None = None) -> Job:
    """A job file by its extension (`.json`) or content (a leading `{`); else HCL2.
    `variables` apply to HCL2 only; a JSON job with any is refused, as Nomad does."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise invalid_input([FieldError("", f"cannot read job file: {reason}", name)]) from e
    if name.endswith(".json") or text.lstrip().startswith("{"):
        if variables is not None and (variables.args or variables.files):
            raise invalid_input([FieldError("", "cannot use variables with JSON files",
                                            name)])
        return parse_json(text, filename=name)
    return parse_hcl(text, filename=name, variables=variables)


def hcl_to_api_json(source: str, *, filename: str = "<input>",
                    variables: str = "") -> dict[str, Any]:
    """For `POST /v1/jobs/parse`: the HCL job in Nomad's JSON shape, not canonicalized.
    `variables` is a variables file's content; as in Nomad, names the job does not
    declare are ignored, the server's environment is not read and file() is refused."""
    inputs = VarInputs(content=variables, strict=False)
    return parse_hcl(source, filename=filename, variables=inputs).to_wire()
