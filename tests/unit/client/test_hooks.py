"""Prestart hooks in isolation: the user denylist and the task dir layout."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from caravan.client.allocdir import AllocDir
from caravan.client.drivers.base import Capabilities
from caravan.client.taskrunner.hooks import HookError, PrestartRequest
from caravan.client.taskrunner.taskdir_hook import TaskDirHook
from caravan.client.taskrunner.validate_hook import ValidateHook
from caravan.clock import SystemClock
from caravan.structs import Allocation, Task, TaskEvent


class FixedClock:
    def now_ns(self) -> int:
        return 7


def request(tmp_path: Path, task: Task) -> PrestartRequest:
    alloc_dir = AllocDir(tmp_path, "a1")
    return PrestartRequest(alloc=Allocation(id="a1"), task=task,
                           task_dir=alloc_dir.task_dir(task.name),
                           capabilities=Capabilities(), env={})


@pytest.mark.parametrize(("driver", "user", "options", "denied"), [
    ("exec", "root", {}, "root"),
    ("exec", "", {}, None),
    ("exec", "", {"user.denylist": "nobody"}, "nobody"),
    ("raw_exec", "root", {}, None),
    ("raw_exec", "root", {"user.checked_drivers": "raw_exec"}, "root"),
])
def test_user_denylist(tmp_path: Path, driver: str, user: str, options: dict[str, str],
                       denied: str | None) -> None:
    hook = ValidateHook(options, SystemClock())
    call = hook.prestart(request(tmp_path, Task(name="t", driver=driver, user=user)))
    if denied is None:
        asyncio.run(call)
        return
    with pytest.raises(HookError, match=f'^running as user "{denied}" is disallowed$'):
        asyncio.run(call)


def test_task_dir_hook_builds_nomads_layout(tmp_path: Path) -> None:
    seen: list[TaskEvent] = []
    alloc_dir = AllocDir(tmp_path, "a1")
    alloc_dir.build()
    try:
        _check_layout(tmp_path, seen)
    finally:
        alloc_dir.destroy()
    assert not (tmp_path / "a1").exists()


def _check_layout(tmp_path: Path, seen: list[TaskEvent]) -> None:
    hook = TaskDirHook(seen.append, clock=FixedClock())
    response = asyncio.run(hook.prestart(request(tmp_path, Task(name="web"))))
    assert response.done
    assert [(e.type, e.display_message, e.time) for e in seen] == [
        ("Task Setup", "Building Task Directory", 7)]
    modes = {p.relative_to(tmp_path / "a1").as_posix(): stat.S_IMODE(p.stat().st_mode)
             for p in (tmp_path / "a1").rglob("*")}
    # Shared dirs are sticky: one task cannot rename what another one made there.
    assert modes == {"alloc": 0o1755, "alloc/data": 0o1777, "alloc/logs": 0o1777,
                     "alloc/tmp": 0o1777, "web": 0o777, "web/local": 0o777,
                     "web/secrets": 0o777, "web/private": 0o777, "web/tmp": 0o1777}
    assert stat.S_IMODE((tmp_path / "a1").stat().st_mode) == 0o755
