"""Nomad's rule for an allocation of an older job version: updated in place (the new job
attached, tasks keep running) or destructively (stopped and replaced).

Destructive: a different set of tasks, ephemeral disk, networks or volumes; a task's
driver, user, config, env, artifacts, volume mounts, resources, legacy networks,
identity, templates, its meta as the task sees it (job, group and task meta combined), `logs.disabled`, or a
restart policy's `render_templates`. Everything else (count, constraints, restart and
reschedule policies, services and checks, kill timeout and signal, lifecycle, update
block, log sizes) is in place.
"""

from __future__ import annotations

from typing import Any

from caravan.structs import Job, Task, TaskGroup


def destructive_change(old: Job, new: Job, group_name: str) -> str:
    """Why moving an allocation of `group_name` from `old` to `new` needs a new allocation
    ("" when it can be updated in place)."""
    a, b = old.group(group_name), new.group(group_name)
    if a is None or b is None:
        return "task group"
    if sorted(t.name for t in a.tasks) != sorted(t.name for t in b.tasks):
        return "number of tasks"
    for what, left, right in _group_parts(a, b):
        if left != right:
            return what
    for task in a.tasks:
        other = b.task(task.name)
        assert other is not None
        reason = _task_change(old, a, task, new, b, other)
        if reason:
            return reason
    return ""


def _group_parts(a: TaskGroup, b: TaskGroup) -> list[tuple[str, Any, Any]]:
    return [("ephemeral disk", a.ephemeral_disk, b.ephemeral_disk),
            ("network", a.networks, b.networks),
            ("volume request", a.volumes, b.volumes),
            ("group restart render_templates", _render(a.restart_policy),
             _render(b.restart_policy))]


def _task_change(old: Job, a: TaskGroup, at: Task, new: Job, b: TaskGroup, bt: Task) -> str:
    checks: list[tuple[str, Any, Any]] = [
        ("task driver", at.driver, bt.driver), ("task user", at.user, bt.user),
        ("task config", at.config, bt.config), ("task env", at.env or {}, bt.env or {}),
        ("task artifacts", at.artifacts or [], bt.artifacts or []),
        ("task volume mount", at.volume_mounts or [], bt.volume_mounts or []),
        ("task meta", _meta(old, a, at), _meta(new, b, bt)),
        ("task resources", at.resources, bt.resources),
        ("task log disabled", _logs_off(at), _logs_off(bt)),
        ("task identity", at.identity, bt.identity),
        ("task templates", at.templates or [], bt.templates or []),
        ("task restart render_templates", _render(at.restart_policy),
         _render(bt.restart_policy)),
    ]
    return next((what for what, left, right in checks if left != right), "")


def _meta(job: Job, group: TaskGroup, task: Task) -> dict[str, str]:
    return {**(job.meta or {}), **(group.meta or {}), **(task.meta or {})}


def _logs_off(task: Task) -> bool:
    return task.log_config is not None and task.log_config.disabled


def _render(policy: object) -> bool:
    return bool(getattr(policy, "render_templates", False))
