"""The difference between two versions of a job, in Nomad's `JobDiff` shape.

    JobDiff ─ Fields (primitive fields), Objects (nested blocks, maps, lists),
              TaskGroups ─ TaskGroupDiff ─ Fields, Objects, Updates,
                                           Tasks ─ TaskDiff ─ Fields, Objects, Annotations

Each level compares the JSON of the two versions (Nomad's names), leaving out what the
server sets (indexes, status, version, submit time) and the levels below it. Values
are strings as Nomad prints them. Only what differs is listed, unless `contextual`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from caravan.structs.base import Struct
from caravan.structs.job import Job, Task, TaskGroup

ADDED, DELETED, EDITED, NONE = "Added", "Deleted", "Edited", "None"
_SERVER_KEYS = {"Status", "StatusDescription", "Stable", "Version", "SubmitTime", "CreateIndex",
                "ModifyIndex", "JobModifyIndex", "Stop", "ID", "Name", "TaskGroups", "Tasks"}


class FieldDiff(Struct):
    type: str = NONE
    name: str = ""
    old: str = ""
    new: str = ""
    annotations: list[str] | None = None


class ObjectDiff(Struct):
    type: str = NONE
    name: str = ""
    fields: list[FieldDiff] | None = None
    objects: list[ObjectDiff] | None = None


class TaskDiff(Struct):
    type: str = NONE
    name: str = ""
    fields: list[FieldDiff] | None = None
    objects: list[ObjectDiff] | None = None
    annotations: list[str] | None = None


class TaskGroupDiff(Struct):
    type: str = NONE
    name: str = ""
    fields: list[FieldDiff] | None = None
    objects: list[ObjectDiff] | None = None
    tasks: list[TaskDiff] | None = None
    updates: dict[str, int] | None = None


class JobDiff(Struct):
    type: str = NONE
    id: str = Field("", alias="ID")
    fields: list[FieldDiff] | None = None
    objects: list[ObjectDiff] | None = None
    task_groups: list[TaskGroupDiff] | None = None


def job_diff(old: Job | None, new: Job | None) -> JobDiff:
    ref = new or old
    assert ref is not None
    fields, objects = _compare(_wire(old), _wire(new))
    groups = [_group_diff(old.group(name) if old else None, new.group(name) if new else None)
              for name in _names(old.task_groups if old else [], new.task_groups if new else [])]
    kind = _kind(old, new, fields or objects or any(g.type != NONE for g in groups))
    return JobDiff(type=kind, id=ref.id, fields=fields or None, objects=objects or None,
                   task_groups=groups or None)


def version_diffs(versions: list[Job]) -> list[JobDiff]:
    """For versions newest first, each one's diff from the one before it (Nomad's
    `?diffs=true`: one fewer diff than versions)."""
    return [job_diff(older, newer) for newer, older in zip(versions, versions[1:])]


def _group_diff(old: TaskGroup | None, new: TaskGroup | None) -> TaskGroupDiff:
    ref = new or old
    assert ref is not None
    fields, objects = _compare(_wire(old), _wire(new))
    tasks = [_task_diff(old.task(name) if old else None, new.task(name) if new else None)
             for name in _names(old.tasks if old else [], new.tasks if new else [])]
    kind = _kind(old, new, fields or objects or any(t.type != NONE for t in tasks))
    return TaskGroupDiff(type=kind, name=ref.name, fields=fields or None,
                         objects=objects or None, tasks=tasks or None)


def _task_diff(old: Task | None, new: Task | None) -> TaskDiff:
    ref = new or old
    assert ref is not None
    fields, objects = _compare(_wire(old), _wire(new))
    kind = _kind(old, new, fields or objects)
    return TaskDiff(type=kind, name=ref.name, fields=fields or None, objects=objects or None)


def _names(old: list[Any], new: list[Any]) -> list[str]:
    return sorted({x.name for x in old} | {x.name for x in new})


def _kind(old: object, new: object, changed: object) -> str:
    if old is None:
        return ADDED
    if new is None:
        return DELETED
    return EDITED if changed else NONE


def _wire(obj: Struct | None) -> dict[str, Any]:
    if obj is None:
        return {}
    return {k: v for k, v in obj.model_dump(by_alias=True, mode="json").items()
            if k not in _SERVER_KEYS}


def _compare(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[FieldDiff], list[ObjectDiff]]:
    fields: list[FieldDiff] = []
    objects: list[ObjectDiff] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if _empty(a) and _empty(b) or a == b:
            continue
        if _free_form_list(key, a, b):
            fields += _indexed(key, a or [], b or [])
        elif isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
            objects += _object_diffs(key, a, b)
        else:
            fields.append(_field(key, a, b))
    return fields, objects


def _object_diffs(name: str, a: Any, b: Any) -> list[ObjectDiff]:
    if isinstance(a, list) or isinstance(b, list):
        old_items, new_items = list(a or []), list(b or [])
        if all(not isinstance(x, (dict, list)) for x in old_items + new_items):
            return [_primitive_set(name, old_items, new_items)]
        out = []
        for i in range(max(len(old_items), len(new_items))):
            x = old_items[i] if i < len(old_items) else None
            y = new_items[i] if i < len(new_items) else None
            if x != y:
                out += _object_diffs(name, x, y)
        return out
    old_map, new_map = dict(a or {}), dict(b or {})
    fields, objects = _compare(old_map, new_map)
    kind = ADDED if not old_map else DELETED if not new_map else EDITED
    return [ObjectDiff(type=kind, name=name, fields=fields or None, objects=objects or None)]


def _free_form_list(key: str, a: Any, b: Any) -> bool:
    """A list under a user's key (a driver's `args`): Nomad flattens those to `args[0]`.
    Nomad's own fields are PascalCase; their primitive lists are sets (Datacenters)."""
    lists = [x for x in (a, b) if x is not None]
    return key[:1].islower() and all(
        isinstance(x, list) and all(not isinstance(i, (dict, list)) for i in x) for x in lists)


def _indexed(key: str, old: list[Any], new: list[Any]) -> list[FieldDiff]:
    out = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else None
        b = new[i] if i < len(new) else None
        if a != b:
            out.append(_field(f"{key}[{i}]", a, b))
    return out


def _primitive_set(name: str, old: list[Any], new: list[Any]) -> ObjectDiff:
    removed = [x for x in old if x not in new]
    added = [x for x in new if x not in old]
    fields = [_field(name, x, None) for x in removed] + [_field(name, None, x) for x in added]
    kind = ADDED if not old else DELETED if not new else EDITED
    return ObjectDiff(type=kind, name=name, fields=fields or None)


def _field(name: str, a: Any, b: Any) -> FieldDiff:
    kind = ADDED if _empty(a) else DELETED if _empty(b) else EDITED
    return FieldDiff(type=kind, name=name, old=_text(a), new=_text(b))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
