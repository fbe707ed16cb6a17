"""Names that become paths on a client: the one check the server and the client share.

A task's name is its directory (`<alloc>/<task>`), the stem of its log files
(`alloc/logs/<task>.stdout.0`) and of the driver's private state dir; the job ID,
group and volume names travel with it. A name of `..` made a task's root the whole
`<data_dir>/alloc`; a name with `/` or NUL walks or truncates a path. So such names
are refused at submit time with a 400 naming the field, and the client checks
again before it uses one (a job stored by an older server may still hold one).
"""

from __future__ import annotations

MAX_NAME_LENGTH = 128  # bytes (UTF-8): far below a file name's 255, with room for suffixes
# Entries of an alloc dir besides the task dirs: a task of that name would share them.
RESERVED_TASK_NAMES = frozenset({"alloc"})


def path_name_problem(name: str, *, max_length: int = MAX_NAME_LENGTH) -> str | None:
    """Why `name` cannot be used as one path component, or None when it can."""
    if not name:
        return "must not be empty"
    if name in (".", ".."):
        return f'cannot be "{name}"'
    if "/" in name or "\\" in name:
        return "cannot include slashes"
    if "\x00" in name:
        return "cannot include null characters"
    if any(_is_control(c) for c in name):
        return "cannot include control characters"
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "must be valid UTF-8 (it holds a lone surrogate)"
    if size > max_length:
        return f"must be at most {max_length} bytes long; got {size}"
    return None


def job_id_problem(job_id: str) -> str | None:
    """`path_name_problem` for each `/`-separated part: Nomad's own child jobs are named
    `<job>/periodic-<time>` and `<job>/dispatch-<time>-<id>`, so a job ID may hold slashes,
    but no part of it may walk (`.`, `..`) or be empty."""
    if "\\" in job_id:
        return "cannot include backslashes"
    for part in job_id.split("/"):
        if (problem := path_name_problem(part)) is not None:
            return problem if part == job_id else f"part {part!r} {problem}"
    return None


def task_name_problem(name: str) -> str | None:
    """`path_name_problem`, plus the names an alloc dir already uses for itself."""
    if name in RESERVED_TASK_NAMES:
        return f'cannot be named "{name}"'
    return path_name_problem(name)


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0
