"""The list tables several commands share: allocations, jobs, evaluations, nodes.

Pure: each takes models (and `now_ns` for relative times) and returns the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from caravan.cli.formatting import format_list, format_unix_nano, limit, pretty_time_diff
from caravan.cli.placement import eval_failure_status
from caravan.structs import Allocation, AllocListStub, Evaluation, JobListStub, NodeListStub


def yes_no(value: bool) -> str:
    """A bool as Go's `%v` prints it."""
    return "true" if value else "false"


def job_status_text(status: str, stop: bool) -> str:
    return f"{status} (stopped)" if stop else status


def _alloc_rows(
    stubs: Sequence[AllocListStub], verbose: bool, length: int, now_ns: int,
    with_node_name: bool, tz: tzinfo | None,
) -> list[list[str]]:
    if verbose:
        header = ["ID", "Eval ID", "Node ID"] + (["Node Name"] if with_node_name else [])
        header += ["Task Group", "Version", "Desired", "Status", "Created", "Modified"]
    else:
        header = ["ID", "Node ID", "Task Group", "Version", "Desired", "Status",
                  "Created", "Modified"]
    rows = [header]
    for a in stubs:
        if verbose:
            row = [limit(a.id, length), limit(a.eval_id, length), limit(a.node_id, length)]
            row += [a.node_name] if with_node_name else []
            created = format_unix_nano(a.create_time, tz)
            modified = format_unix_nano(a.modify_time, tz)
        else:
            row = [limit(a.id, length), limit(a.node_id, length)]
            created = pretty_time_diff(a.create_time, now_ns)
            modified = pretty_time_diff(a.modify_time, now_ns)
        row += [a.task_group, str(a.job_version), a.desired_status, a.client_status,
                created, modified]
        rows.append(row)
    return rows


def alloc_stub_table(
    stubs: Sequence[AllocListStub], verbose: bool, length: int, now_ns: int,
    tz: tzinfo | None = None,
) -> str:
    """Nomad's allocation table (job status, eval status, prefix matches)."""
    if not stubs:
        return "No allocations placed"
    return format_list(_alloc_rows(stubs, verbose, length, now_ns, True, tz))


def alloc_table(
    allocs: Sequence[Allocation], verbose: bool, length: int, now_ns: int,
    tz: tzinfo | None = None,
) -> str:
    """The same table for full allocations (node status); verbose has no Node Name."""
    if not allocs:
        return "No allocations placed"
    stubs = [AllocListStub.of(a) for a in allocs]
    return format_list(_alloc_rows(stubs, verbose, length, now_ns, False, tz))


def _job_type(job: JobListStub) -> str:
    return job.type + ("/periodic" if job.periodic else "") + (
        "/parameterized" if job.parameterized_job else "")


def job_stub_table(
    jobs: Sequence[JobListStub], all_namespaces: bool = False, tz: tzinfo | None = None
) -> str:
    header = ["ID"] + (["Namespace"] if all_namespaces else [])
    rows: list[list[str]] = [header + ["Type", "Priority", "Status", "Submit Date"]]
    for j in jobs:
        row = [j.id] + ([j.namespace] if all_namespaces else [])
        rows.append(row + [_job_type(j), str(j.priority), job_status_text(j.status, j.stop),
                           format_unix_nano(j.submit_time, tz)])
    return format_list(rows)


def job_eval_table(evals: Sequence[Evaluation], length: int) -> str:
    """The `Evaluations` section of `job status -verbose`."""
    rows = [["ID", "Priority", "Triggered By", "Status", "Placement Failures"]]
    for e in evals:
        rows.append([limit(e.id, length), str(e.priority), e.triggered_by, e.status,
                     eval_failure_status(e)[0]])
    return format_list(rows)


def eval_list_table(evals: Sequence[Evaluation], length: int) -> str:
    """Evaluations matching a prefix (`eval status`, `eval list`)."""
    rows = [["ID", "Priority", "Triggered By", "Job ID", "Namespace", "Node ID", "Status",
             "Placement Failures"]]
    for e in evals:
        rows.append([limit(e.id, length), str(e.priority), e.triggered_by, e.job_id,
                     e.namespace, limit(e.node_id, length), e.status,
                     eval_failure_status(e)[0]])
    return format_list(rows)


def node_list_table(nodes: Sequence[NodeListStub], verbose: bool, length: int) -> str:
    """`node status` with no argument."""
    header = ["ID", "Node Pool", "DC", "Name", "Class"]
    header += ["Address", "Version"] if verbose else []
    rows = [header + ["Drain", "Eligibility", "Status"]]
    for n in nodes:
        row = [limit(n.id, length), n.node_pool, n.datacenter, n.name, n.node_class]
        row += [n.address, n.version] if verbose else []
        rows.append(row + [yes_no(n.drain), n.scheduling_eligibility, n.status])
    return format_list(rows)


def node_prefix_table(nodes: Sequence[NodeListStub], length: int) -> str:
    """Nodes matching an ambiguous prefix."""
    rows = [["ID", "DC", "Name", "Class", "Drain", "Eligibility", "Status"]]
    for n in nodes:
        rows.append([limit(n.id, length), n.datacenter, n.name, n.node_class,
                     yes_no(n.drain), n.scheduling_eligibility, n.status])
    return format_list(rows)
