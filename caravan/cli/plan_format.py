"""`job plan`'s text: Nomad's annotated diff and the scheduler dry-run, aligned as Nomad
aligns them (markers `+`, `-`, `+/-`; fields and blocks nested two spaces deeper)."""

from __future__ import annotations

from caravan.cli.placement import format_alloc_metrics
from caravan.structs.diff import FieldDiff, JobDiff, ObjectDiff, TaskDiff, TaskGroupDiff
from caravan.structs.plan import JobPlanResponse

_MARKERS = {"Added": "+ ", "Deleted": "- ", "Edited": "+/- "}

CHECK_INDEX_HELP = """To submit the job with version verification run:

caravan job run -check-index {index} {args}{path}

When running the job with the check-index flag, the job will only be run if the
job modify index given matches the server-side version. If the index has
changed, another user has modified the job and the plan's results are
potentially invalid."""


def _marker(kind: str) -> str:
    return _MARKERS.get(kind, "")


def job_diff_text(diff: JobDiff, verbose: bool) -> str:
    out = f'{_marker(diff.type)}Job: "{diff.id}"\n'
    longest_field, longest_marker = _longest(diff.fields, diff.objects)
    for group in diff.task_groups or []:
        longest_marker = max(longest_marker, len(_marker(group.type)))
    if diff.type == "Edited" or verbose:
        block = _aligned(diff.fields, diff.objects, 0, longest_field, longest_marker)
        out += block + ("\n" if block else "")
    for group in diff.task_groups or []:
        out += _group_text(group, longest_marker - len(_marker(group.type)), verbose) + "\n"
    return out


def _group_text(group: TaskGroupDiff, prefix: int, verbose: bool) -> str:
    out = f'{_marker(group.type)}{" " * prefix}Task Group: "{group.name}"'
    if group.updates:
        out += " (" + ", ".join(f"{group.updates[k]} {k}" for k in sorted(group.updates)) + ")"
    out += "\n"
    longest_field, longest_marker = _longest(group.fields, group.objects)
    for task in group.tasks or []:
        longest_marker = max(longest_marker, len(_marker(task.type)))
    start = prefix + 2
    if group.type == "Edited" or verbose:
        block = _aligned(group.fields, group.objects, start, longest_field, longest_marker)
        out += block + ("\n" if block else "")
    for task in group.tasks or []:
        out += _task_text(task, start, longest_marker - len(_marker(task.type)), verbose) + "\n"
    return out


def _task_text(task: TaskDiff, start: int, prefix: int, verbose: bool) -> str:
    out = f'{" " * start}{_marker(task.type)}{" " * prefix}Task: "{task.name}"'
    if task.annotations:
        out += f" ({', '.join(task.annotations)})"
    if task.type == "None" or (task.type in ("Added", "Deleted") and not verbose):
        return out
    longest_field, longest_marker = _longest(task.fields, task.objects)
    return out + "\n" + _aligned(task.fields, task.objects, start + 2, longest_field,
                                 longest_marker)


def _object_text(obj: ObjectDiff, start: int, prefix: int) -> str:
    marker = _marker(obj.type)
    out = f"{' ' * start}{marker}{' ' * prefix}{obj.name} {{\n"
    longest_field, longest_marker = _longest(obj.fields, obj.objects)
    out += _aligned(obj.fields, obj.objects, start + prefix + 2, longest_field, longest_marker)
    return f"{out}\n{' ' * (start + len(marker) + prefix)}}}"


def _field_text(field: FieldDiff, start: int, prefix: int, value_prefix: int) -> str:
    out = f"{' ' * start}{_marker(field.type)}{' ' * prefix}{field.name}: {' ' * value_prefix}"
    if field.type == "Added":
        out += _quote(field.new)
    elif field.type == "Deleted":
        out += _quote(field.old)
    elif field.type == "Edited":
        out += f"{_quote(field.old)} => {_quote(field.new)}"
    else:
        out += _quote(field.new)
    if field.annotations:
        out += f" ({', '.join(field.annotations)})"
    return out


def _aligned(fields: list[FieldDiff] | None, objects: list[ObjectDiff] | None, start: int,
             longest_field: int, longest_marker: int) -> str:
    lines = [_field_text(f, start, longest_marker - len(_marker(f.type)),
                         longest_field - len(f.name)) for f in fields or []]
    lines += [_object_text(o, start, longest_marker - len(_marker(o.type)))
              for o in objects or []]
    return "\n".join(lines)


def _longest(fields: list[FieldDiff] | None, objects: list[ObjectDiff] | None
             ) -> tuple[int, int]:
    names = [len(f.name) for f in fields or []]
    markers = [len(_marker(f.type)) for f in fields or []] + \
        [len(_marker(o.type)) for o in objects or []]
    return max(names, default=0), max(markers, default=0)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dry_run_text(plan: JobPlanResponse, job_type: str) -> str:
    if not plan.failed_tg_allocs:
        return "- All tasks successfully allocated."
    out = ["- WARNING: Failed to place allocations on all nodes." if job_type == "system"
           else "- WARNING: Failed to place all allocations."]
    for group in sorted(plan.failed_tg_allocs):
        metric = plan.failed_tg_allocs[group]
        failed = metric.coalesced_failures + 1
        noun = "allocations" if metric.coalesced_failures else "allocation"
        out.append(f'  Task Group "{group}" (failed to place {failed} {noun}):')
        out += format_alloc_metrics(metric, prefix="    ")
        out.append("")
    return "\n".join(out).rstrip("\n")


def plan_exit_code(plan: JobPlanResponse) -> int:
    """Nomad's: 1 when allocations would be created or destroyed, else 0."""
    if plan.diff is not None and plan.diff.type == "None":
        return 0
    changes = plan.annotations.desired_tg_updates.values()
    return int(any(u.stop + u.place + u.migrate + u.destructive_update + u.canary
                   for u in changes))
