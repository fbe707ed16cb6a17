"""Nomad's checks of an ACL policy object before it is stored (name, rules, JobACL)."""

from __future__ import annotations

import re

from caravan.acl.parse import parse_policy
from caravan.errors import FieldError, InvalidInput
from caravan.structs.acl import ACLPolicy

_POLICY_NAME = re.compile(r"^[a-zA-Z0-9-]{1,128}$")
MAX_DESCRIPTION = 256


def multi_error(errors: list[str]) -> str:
    """Go's multierror text, which Nomad returns for validation failures."""
    noun = "error" if len(errors) == 1 else "errors"
    return f"{len(errors)} {noun} occurred:\n" + "".join(f"\t* {e}\n" for e in errors) + "\n"


def check_policy(policy: ACLPolicy) -> None:
    """Raise InvalidInput (`policy 0 invalid: ...`); parse problems keep their lines."""
    problems = [] if _POLICY_NAME.match(policy.name) else [f"invalid name '{policy.name}'"]
    errors: list[FieldError] = []
    try:
        parse_policy(policy.rules, strict=True)
    except InvalidInput as e:
        errors = e.errors
        problems += [f"failed to parse rules: {err}" for err in e.errors] or [
            f"failed to parse rules: {e}"]
    if len(policy.description) > MAX_DESCRIPTION:
        problems.append(f"description longer than {MAX_DESCRIPTION}")
    job = policy.job_acl
    if job is not None:
        problems += [text for wrong, text in (
            (job.job_id and not job.namespace, "namespace must be set to set job ID"),
            (job.group and not job.job_id, "job ID must be set to set group"),
            (job.task and not job.group, "group must be set to set task")) if wrong]
    if problems:
        raise InvalidInput(f"policy 0 invalid: {multi_error(problems)}", errors=errors)
