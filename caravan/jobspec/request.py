"""API bodies that carry a job (`PUT /v1/jobs`, `/v1/job/<id>`, `/plan`, `/v1/validate/job`),
decoded by the same rules as a JSON job file.

The job is `json_job.decode_job`'s, so a field caravan does not implement is a 400
naming its path, never dropped. The keys around it are checked against the request
model (Nomad's `JobRegisterRequest` / `JobValidateRequest` with the `WriteRequest`
fields embedded in both) as strictly: an unknown key is named, a wrong type is one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError

from caravan.hcl.problems import Problems
from caravan.jobspec.hcl_values import describe
from caravan.jobspec.json_job import decode_job, problem_path, type_message
from caravan.jobspec.json_keys import field_names
from caravan.structs import JobRegisterRequest, JobValidateRequest
from caravan.structs.plan import JobPlanRequest

_R = TypeVar("_R", JobRegisterRequest, JobValidateRequest, JobPlanRequest)

# Caravan reads a token from the X-Nomad-Token header (or `Authorization: Bearer`) only,
# and authorizes before it decodes a body: a token in the body would be ignored.
_TOKEN_HINT = "not supported by caravan: send the token in the X-Nomad-Token header"


def register_request(document: Any) -> JobRegisterRequest:
    """The body of `PUT /v1/jobs` or `/v1/job/<id>`; InvalidInput lists every problem."""
    return _decode(document, JobRegisterRequest)


def validate_request(document: Any) -> JobValidateRequest:
    """The body of `PUT /v1/validate/job`."""
    return _decode(document, JobValidateRequest)


def plan_request(document: Any) -> JobPlanRequest:
    """The body of `PUT /v1/job/<id>/plan`."""
    return _decode(document, JobPlanRequest)


def _decode(document: Any, model: type[_R]) -> _R:
    problems = Problems(None)
    if not isinstance(document, dict):
        problems.add("", f"a JSON object is required, got {describe(document)}")
        problems.raise_if_any()
    job = None
    rest: dict[str, Any] = {}
    allowed = frozenset(field_names(model)) - {"job"}
    for key, value in document.items():
        lower = key.lower()
        if lower == "job":
            job = _job(value, problems)
        elif lower == "secretid" and value:
            problems.add(key, _TOKEN_HINT)
        elif lower in allowed:
            rest[key] = value
        else:
            problems.add(key, "unknown field")
    request = _fields(model, rest, problems)
    problems.raise_if_any()
    return request.model_copy(update={"job": job})


def _job(value: Any, problems: Problems) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add("Job", f"wrong type: an object is required, got {describe(value)}")
        return None
    return decode_job(value, problems)


def _fields(model: type[_R], rest: dict[str, Any], problems: Problems) -> _R:
    try:
        return model.model_validate({k: v for k, v in rest.items() if v is not None},
                                    strict=True)
    except ValidationError as e:
        for error in e.errors():
            problems.add(problem_path(error["loc"], root=""), type_message(error))
        return model()
