"""Placement-failure text: the metric lines Nomad prints from an AllocMetric, shared by
the eval monitor, `job status` and `eval status`.

Map keys are printed sorted (Nomad prints them in Go's random map order).
"""

from __future__ import annotations

from caravan.cli.formatting import format_list
from caravan.structs import AllocMetric, Evaluation


def format_alloc_metrics(metric: AllocMetric, prefix: str = "  ") -> list[str]:
    """The `* ...` lines explaining why a task group could not be placed."""
    lines: list[str] = []
    if metric.nodes_evaluated == 0:
        lines.append(f"{prefix}* No nodes were eligible for evaluation")
    for dc, available in sorted(metric.nodes_available.items()):
        if available == 0:
            lines.append(f'{prefix}* No nodes are available in datacenter "{dc}"')
    for cls, count in sorted((metric.class_filtered or {}).items()):
        lines.append(f'{prefix}* Class "{cls}": {count} nodes excluded by filter')
    for reason, count in sorted((metric.constraint_filtered or {}).items()):
        lines.append(f'{prefix}* Constraint "{reason}": {count} nodes excluded by filter')
    if metric.nodes_exhausted > 0:
        lines.append(f"{prefix}* Resources exhausted on {metric.nodes_exhausted} nodes")
    for cls, count in sorted((metric.class_exhausted or {}).items()):
        lines.append(f'{prefix}* Class "{cls}" exhausted on {count} nodes')
    for dim, count in sorted((metric.dimension_exhausted or {}).items()):
        lines.append(f'{prefix}* Dimension "{dim}" exhausted on {count} nodes')
    for quota in metric.quota_exhausted or []:
        lines.append(f'{prefix}* Quota limit hit "{quota}"')
    return lines


def failed_group_header(group: str, metric: AllocMetric) -> str:
    """`Task Group "web" (failed to place 2 allocations):`."""
    count = metric.coalesced_failures + 1
    noun = "allocation" if metric.coalesced_failures == 0 else "allocations"
    return f'Task Group "{group}" (failed to place {count} {noun}):'


def eval_failure_status(evaluation: Evaluation) -> tuple[str, bool]:
    """The `Placement Failures` column: `true`/`false`, or `N/A - In Progress` if blocked."""
    failed = bool(evaluation.failed_tg_allocs)
    text = "true" if failed else "false"
    if evaluation.status == "blocked":
        text = "N/A - In Progress"
    return text, failed


def failed_groups(evaluation: Evaluation) -> list[tuple[str, AllocMetric]]:
    return sorted((evaluation.failed_tg_allocs or {}).items())


def score_table(metric: AllocMetric) -> str | None:
    """`alloc status -verbose`: each scored node's scores and final (normalized) score."""
    scored = metric.score_meta_data or []
    if not scored:
        return None
    names = sorted({name for entry in scored for name in (entry.get("Scores") or {})})
    rows: list[list[str]] = [["Node", *names, "final score"]]
    for entry in scored:
        scores = entry.get("Scores") or {}
        rows.append([str(entry.get("NodeID", "")),
                     *(f"{float(scores.get(n, 0)):.3g}" for n in names),
                     f"{float(entry.get('NormScore', 0)):.3g}"])
    return format_list(rows)
