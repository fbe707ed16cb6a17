"""Register-time checks of periodic and parameterized jobs and of `dispatch_payload`,
in Nomad's words; `validate_job` reports them with the rest."""

from __future__ import annotations

from collections.abc import Iterator

from caravan.structs.job import Job
from caravan.structs.periodic import parameterized_problems, periodic_problems

_BATCH_TYPES = ("batch", "sysbatch")


def batch_problems(job: Job) -> Iterator[tuple[str, str]]:
    """(field path, message) for each problem."""
    if job.periodic is not None and job.periodic.enabled:
        if job.type not in _BATCH_TYPES:
            yield "Periodic", 'Periodic can only be used with "batch" or "sysbatch" scheduler'
        for problem in periodic_problems(job.periodic):
            yield "Periodic", problem
    if job.parameterized_job is not None:
        if job.type not in _BATCH_TYPES:
            yield ("ParameterizedJob",
                   'Parameterized job can only be used with "batch" or "sysbatch" scheduler')
        for problem in parameterized_problems(job.parameterized_job):
            yield "ParameterizedJob", problem
    for gi, group in enumerate(job.task_groups):
        for ti, task in enumerate(group.tasks):
            if task.dispatch_payload is None:
                continue
            bad = payload_file_problem(task.dispatch_payload.file)
            if bad is not None:
                yield f"TaskGroups[{gi}].Tasks[{ti}].DispatchPayload.File", bad


def payload_file_problem(file: str) -> str | None:
    """The payload is written beneath the task's `local/` dir: a plain relative path only
    (stricter than Nomad, which allows `..` as long as it stays in the alloc dir)."""
    if not file:
        return "dispatch_payload file must be set"
    parts = file.split("/")
    if file.startswith("/") or ".." in parts or "\x00" in file or parts[-1] in ("", "."):
        return (f'dispatch_payload file "{file}" must be a relative file path inside the '
                "task's local/ directory (no leading /, no ..)")
    return None
