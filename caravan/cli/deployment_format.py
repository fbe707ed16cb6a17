"""How deployments print, as Nomad's `deployment list|status` print them (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from caravan.cli.formatting import format_kv, format_list, format_rfc3339, limit
from caravan.structs import Deployment, DeploymentState


def deployments_table(found: Sequence[Deployment], length: int) -> str:
    if not found:
        return "No deployments found"
    rows = [["ID", "Job ID", "Job Version", "Status", "Description"]]
    rows += [[limit(d.id, length), d.job_id, str(d.job_version), d.status,
              d.status_description] for d in found]
    return format_list(rows)


def format_deployment(d: Deployment | None, length: int, tz: tzinfo | None = None) -> str:
    if d is None:
        return "No deployment found"
    base = format_kv([("ID", limit(d.id, length)), ("Job ID", d.job_id),
                      ("Job Version", d.job_version), ("Status", d.status),
                      ("Description", d.status_description)])
    if not d.task_groups:
        return base
    return f"{base}\n\nDeployed\n{groups_table(d.task_groups, tz)}"


def latest_deployment(d: Deployment, length: int, tz: tzinfo | None = None) -> str:
    """The `Latest Deployment` section of `job status`: shorter than `deployment status`
    (the job and its version are already on the page), as in Nomad."""
    base = format_kv([("ID", limit(d.id, length)), ("Status", d.status),
                      ("Description", d.status_description)])
    if not d.task_groups:
        return base
    return f"{base}\n\nDeployed\n{groups_table(d.task_groups, tz)}"


def groups_table(groups: dict[str, DeploymentState], tz: tzinfo | None = None) -> str:
    """Desired / Placed / Healthy / Unhealthy / Progress Deadline per group; the Auto
    Revert, Promoted and Canaries columns only when some group uses them."""
    states = list(groups.values())
    revert = any(s.auto_revert for s in states)
    canaries = any(s.desired_canaries for s in states)
    deadline = any(s.progress_deadline for s in states)
    header = ["Task Group", *(["Auto Revert"] if revert else []),
              *(["Promoted"] if canaries else []), "Desired", *(["Canaries"] if canaries else []),
              "Placed", "Healthy", "Unhealthy", *(["Progress Deadline"] if deadline else [])]
    rows = [header]
    for name in sorted(groups):
        s = groups[name]
        row = [name]
        if revert:
            row.append(_go_bool(s.auto_revert))
        if canaries:
            row.append(_go_bool(s.promoted) if s.desired_canaries else "N/A")
        row.append(str(s.desired_total))
        if canaries:
            row.append(str(s.desired_canaries))
        row += [str(s.placed_allocs), str(s.healthy_allocs), str(s.unhealthy_allocs)]
        if deadline:
            row.append(format_rfc3339(s.require_progress_by, tz) or "N/A")
        rows.append(row)
    return format_list(rows)


def _go_bool(value: bool) -> str:
    return "true" if value else "false"
