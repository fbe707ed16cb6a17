"""Which allocation prefix and which task a command acts on, from plain values (no
models), so the lean `alloc exec` path and the typed lookups (`lookup.py`) agree."""

from __future__ import annotations

from caravan.cli.formatting import SHORT_ID, format_list, limit


def sanitize_uuid_prefix(prefix: str) -> str:
    """Trim an ID prefix to an even number of hex digits (hyphens not counted), as
    the agent's prefix index only matches whole bytes."""
    digits = len(prefix) - prefix.count("-")
    return prefix[: len(prefix) - digits % 2]


def invalid_task(group: str, names: list[str] | None, task: str) -> str | None:
    """Why `task` cannot be used (None: it can); `names` is None when the allocation's
    job lacks its group."""
    if names is None:
        return f"Could not find allocation task group: {group}"
    if task in names:
        return None
    return f"Could not find task named: {task}, found:\n" + format_list([[n] for n in names])


def single_task(alloc_id: str, group: str, names: list[str] | None) -> tuple[str, str | None]:
    """(the group's single task, None) or ("", why the user must name one)."""
    if names is None:
        return "", f"Could not find allocation task group: {group}"
    if len(names) == 1:
        return names[0], None
    listing = "".join(f"  * {n}\n" for n in names)
    return "", (f'Allocation "{limit(alloc_id, SHORT_ID)}" is running the following tasks:\n'
                f"{listing}\nPlease specify the task.")


def choose_task(alloc_id: str, group: str, names: list[str] | None, task: str) -> str:
    """`task` when given and valid, else the group's only task; CommandFailed otherwise."""
    from caravan.errors import CommandFailed

    problem = invalid_task(group, names, task) if task else None
    if not task:
        task, problem = single_task(alloc_id, group, names)
    if problem:
        raise CommandFailed(problem)
    return task
