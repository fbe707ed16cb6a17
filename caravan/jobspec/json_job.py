"""Nomad's JSON job (`{"Job": {...}}` or a bare job object) into `structs.Job`.

Keys match case-insensitively, as Go's JSON decoder matches them. Before pydantic
sees the document, every key is checked against the table of fields (`fields.py`:
unknown keys and refused Nomad features are reported with their path, e.g.
`Job.TaskGroups[0].Tasks[0].Templates: not supported by caravan`) and nulls are
dropped, since Nomad's JSON writes an unset field as null. Pydantic then validates
strictly, as Go does: `"Count": "2"` is a wrong type, not a number. Job files and
API bodies (`caravan.jobspec.request`) share `decode_job`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from caravan.hcl.problems import Problems
from caravan.jobspec.fields import BY_MODEL
from caravan.jobspec.hcl_values import describe
from caravan.jobspec.json_keys import carries_nothing, field_names, json_alias, nested_model
from caravan.structs import Job, JobRegisterRequest
from caravan.wire_limits import WireLimitError, check_json_value

_EXPECTED = {"int_type": "an integer", "int_from_float": "an integer", "int_parsing": "an integer",
             "string_type": "a string", "bool_type": "a bool", "bool_parsing": "a bool",
             "float_type": "a number", "list_type": "a list", "dict_type": "an object",
             "model_type": "an object", "model_attributes_type": "an object"}
# Every path starts here, as in `{"Job": {...}}`, whether or not the document wraps its job.
ROOT = "Job"


def decode_json(source: str | bytes, problems: Problems) -> Job:
    document = _load(source, problems)
    if not isinstance(document, dict):
        if document is not None:
            problems.add("", f"a JSON object is required, got {describe(document)}")
        return Job()
    return decode_job(_unwrap(document, problems), problems)


def decode_job(data: dict[str, Any], problems: Problems) -> Job:
    """A job object (the value of `"Job"`) checked against the table, then validated."""
    cleaned = _clean(Job, data, ROOT, problems)
    try:
        return Job.model_validate(cleaned, strict=True)
    except ValidationError as e:
        for error in e.errors():
            problems.add(problem_path(error["loc"]), type_message(error))
        return Job()


def _load(source: str | bytes, problems: Problems) -> Any:
    try:
        text = source.decode("utf-8") if isinstance(source, bytes) else source
        document = json.loads(text)
        check_json_value(document)
        return document
    except UnicodeDecodeError as e:
        problems.add("", f"the file is not UTF-8 text: {e.reason}")
    except json.JSONDecodeError as e:
        problems.add("", f"invalid JSON at column {e.colno}: {e.msg}", e.lineno)
    except RecursionError:
        problems.add("", "JSON nested too deeply")
    except WireLimitError as e:
        problems.add("", str(e))
    except ValueError as e:  # an integer with more digits than Python converts
        problems.add("", f"invalid JSON: {e}")
    return None


def _unwrap(document: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """`{"Job": {...}, ...register request fields}` gives the inner job; else the document."""
    wrapper = {k.lower(): k for k in document}
    if "job" not in wrapper or not isinstance(document[wrapper["job"]], dict):
        return document
    allowed = field_names(JobRegisterRequest)
    for key in document:
        if key.lower() not in allowed:
            problems.add("", f'unknown field "{key}" next to "Job"')
    inner: dict[str, Any] = document[wrapper["job"]]
    return inner


def _clean(model: type[BaseModel], data: dict[str, Any], path: str,
           problems: Problems) -> dict[str, Any]:
    """`data` without nulls and refused-but-empty keys; every other stray key reported."""
    names = field_names(model)
    table = BY_MODEL.get(model)
    implemented = table.implemented_json if table else frozenset(names)
    refused = table.refused_json if table else {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        lower = key.lower()
        if lower in refused:
            if not carries_nothing(lower, value):
                problems.add(f"{path}.{refused[lower]}", "not supported by caravan")
            continue
        if lower not in implemented or lower not in names:
            problems.add(f"{path}.{key}", "unknown field")
            continue
        if value is None:
            continue
        name = names[lower]
        # Paths use Nomad's spelling whatever the file's casing, as pydantic's errors do.
        out[key] = _descend(model, name, value, f"{path}.{json_alias(model, name)}", problems)
    return out


def _descend(model: type[BaseModel], field: str, value: Any, where: str,
             problems: Problems) -> Any:
    shape = nested_model(model, field)
    if shape is None:
        return value
    kind, inner = shape
    if kind == "one" and isinstance(value, dict):
        return _clean(inner, value, where, problems)
    if kind == "list" and isinstance(value, list):
        return [_clean(inner, v, f"{where}[{i}]", problems) if isinstance(v, dict) else v
                for i, v in enumerate(value)]
    if kind == "map" and isinstance(value, dict):
        return {k: _clean(inner, v, f"{where}.{k}", problems) if isinstance(v, dict) else v
                for k, v in value.items()}
    return value  # a wrong shape: pydantic reports it with its path


def problem_path(loc: tuple[int | str, ...], root: str = ROOT) -> str:
    out = root
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def type_message(error: Any) -> str:
    expected = _EXPECTED.get(error["type"])
    if expected is None:
        return str(error["msg"])
    return f"wrong type: {expected} is required, got {_json_kind(error['input'])}"


def _json_kind(value: Any) -> str:
    if isinstance(value, str):
        return describe(value)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return describe(value)
