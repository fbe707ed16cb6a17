"""Resolving what the user typed (an ID prefix) to one job, allocation, node or
evaluation, with Nomad's messages for "none" and "several"."""

from __future__ import annotations

from collections.abc import Callable

from caravan.api import APIError, Client, QueryOptions
from caravan.cli.common import reported_as
from caravan.cli.formatting import id_length
from caravan.cli.listings import alloc_stub_table, job_stub_table
from caravan.cli.task_choice import invalid_task, single_task
from caravan.cli.task_choice import sanitize_uuid_prefix as sanitize_uuid_prefix  # re-exported
from caravan.errors import CommandFailed
from caravan.structs import Allocation, AllocListStub

def check_id_length(identifier: str, message: str) -> None:
    if len(identifier) == 1:
        raise CommandFailed(message)


def job_id_by_prefix(
    client: Client, prefix: str, all_namespaces: bool = False
) -> tuple[str, str]:
    """The one job whose ID starts with `prefix`: (job ID, namespace)."""
    with reported_as(f'Error querying job prefix "{prefix}": '):
        try:
            jobs, _ = client.jobs.list(prefix=prefix)
        except APIError as exc:
            if exc.status != 403:
                raise
            return prefix, ""  # may not list jobs: take the prefix as the exact ID
    if not jobs:
        raise CommandFailed(f'No job(s) with prefix or ID "{prefix}" found')
    exact = [j for j in jobs if j.id == prefix]
    if len(jobs) > 1 and (not exact or (all_namespaces and len(exact) > 1)):
        table = job_stub_table(jobs, all_namespaces)
        raise CommandFailed(f'Prefix "{prefix}" matched multiple jobs\n\n{table}')
    job = exact[0] if exact else jobs[0]
    return job.id, job.namespace


def alloc_matches(client: Client, alloc_id: str) -> tuple[str, list[AllocListStub]]:
    """The sanitized prefix and the allocations it matches (at least one)."""
    prefix = sanitize_uuid_prefix(alloc_id)
    with reported_as("Error querying allocation: "):
        allocs, _ = client.allocations.list(prefix=prefix)
    if not allocs:
        raise CommandFailed(f'No allocation(s) with prefix or id "{prefix}" found')
    return prefix, allocs


def multiple_allocs_text(allocs: list[AllocListStub], verbose: bool, now_ns: int) -> str:
    table = alloc_stub_table(allocs, verbose, id_length(verbose), now_ns)
    return f"Prefix matched multiple allocations\n\n{table}"


def alloc_info(client: Client, stub: AllocListStub) -> Allocation:
    with reported_as("Error querying allocation: "):
        alloc, _ = client.allocations.info(stub.id, QueryOptions(namespace=stub.namespace))
    return alloc


def resolve_alloc(client: Client, alloc_id: str, verbose: bool, now_ns: int) -> Allocation:
    """The one allocation `alloc_id` names; several matches are an error (exit 1)."""
    check_id_length(alloc_id, "Alloc ID must contain at least two characters.")
    _, allocs = alloc_matches(client, alloc_id)
    if len(allocs) > 1:
        raise CommandFailed(multiple_allocs_text(allocs, verbose, now_ns))
    return alloc_info(client, allocs[0])


def task_names(alloc: Allocation) -> list[str] | None:
    """The tasks of the allocation's group, or None if its job lacks the group."""
    group = alloc.job.group(alloc.task_group) if alloc.job else None
    return [t.name for t in group.tasks] if group is not None else None


def invalid_task_message(alloc: Allocation, task: str) -> str | None:
    """Why `task` cannot be used with this allocation, or None if it can."""
    return invalid_task(alloc.task_group, task_names(alloc), task)


def only_task(alloc: Allocation) -> tuple[str, str | None]:
    """(the group's single task, None) or ("", why the user must name one)."""
    return single_task(alloc.id, alloc.task_group, task_names(alloc))


def random_job_alloc(
    client: Client, job_prefix: str, group: str, choose: Callable[[list[str]], str]
) -> str:
    """`-job`: an allocation of the job (a running one if any), picked by `choose`."""
    job_id, namespace = job_id_by_prefix(client, job_prefix)
    with reported_as("Error fetching allocations: "):
        allocs, _ = client.jobs.allocations(job_id, q=QueryOptions(namespace=namespace or None))
    if not allocs:
        raise CommandFailed(f'Error fetching allocations: job "{job_id}" doesn\'t exist or '
                            "it has no allocations")
    if group:
        allocs = [a for a in allocs if a.task_group == group]
        if not allocs:
            raise CommandFailed(f'Error fetching allocations: task group "{group}" doesn\'t '
                                "exist or it has no allocations")
    running = [a.id for a in allocs if a.client_status == "running"]
    return choose(running or [a.id for a in allocs])
