"""A debug copy of an exited exec task (`alloc debug`): one runc container in the foreground.

    cgroup with the task's limits ─▶ bundle in a root-only dir beside the task's executor
    dir ─▶ `runc run` in the foreground, its stdio on the session (`execsession.run_exec`)
    ─▶ always, shielded from cancellation: `runc delete --force`, the cgroup emptied and
    removed, the dir removed

Names (`debug_container_id`): container and cgroup `<alloc>-<task>.debug-<session>`, dir
`<data_dir>/client/executor/<alloc>/<task>.debug-<session>`. An agent killed during a
session leaves them to the next start's orphan cleanup (`client/orphans.py`): the
container and cgroup belong to no live task, and the dir holds no executor.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

from caravan.client.beneath import Root
from caravan.client.drivers.base import ExecStream
from caravan.client.drivers.exec.bundle import BundleSpec, write_bundle
from caravan.client.drivers.exec.cgroups import Limits, TaskCgroup
from caravan.client.drivers.exec.runc import Runc, container_id
from caravan.client.drivers.execsession import ExecLaunch, run_exec
from caravan.errors import DriverError

DEBUG_MARK = ".debug-"
_HOST_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def debug_container_id(alloc_id: str, task_name: str, session_id: str) -> str:
    """Starts with the task's own container ID, so the copy is found as the task's."""
    return f"{container_id(alloc_id, task_name)}{DEBUG_MARK}{session_id}"


def is_debug_container(cid: str) -> bool:
    return DEBUG_MARK in cid


class DebugCopy:
    def __init__(self, runc: Runc, task_dir: Path, task_state_dir: Path, cid: str,
                 cgroup_version: int, no_pivot: bool) -> None:
        self._runc = runc
        self._task_dir = task_dir
        self.cid = cid
        self.cgroup = TaskCgroup(cid, cgroup_version)
        self.work = task_state_dir.with_name(task_state_dir.name + cid[cid.rindex(DEBUG_MARK):])
        self._no_pivot = no_pivot

    async def run(self, spec_of: Callable[[TaskCgroup], BundleSpec], limits: Limits, tty: bool,
                  stream: ExecStream, empty: Callable[[TaskCgroup], Awaitable[None]]) -> int:
        """Start the copy with its stdio on `stream` and return its exit code; cancelling
        kills it. The container, cgroup and dir are removed whichever way it ends."""
        try:
            await asyncio.to_thread(self._make_work)
            await asyncio.to_thread(self.cgroup.create, limits)
            bundle = await asyncio.to_thread(write_bundle, self.work / "bundle",
                                             spec_of(self.cgroup))
            return await run_exec(self._launch(bundle, tty), stream)
        finally:
            await asyncio.shield(self._remove(empty))

    def _make_work(self) -> None:
        _secrets_mount_point(self._task_dir)
        self.work.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.work.mkdir(mode=0o700)

    def _launch(self, bundle: Path, tty: bool) -> ExecLaunch:
        pid_file = self.work / "pid"
        # With --log, runc's own messages leave its stderr, except the one fatal line.
        argv = [*self._runc.base(), "--log", str(self.work / "runc.log"), "--log-format",
                "json", "run", "--bundle", str(bundle), "--pid-file", str(pid_file),
                *(["--no-pivot"] if self._no_pivot else []), self.cid]
        return ExecLaunch(argv=argv, env={"PATH": os.environ.get("PATH", _HOST_PATH)},
                          tty=tty, runtime_pid_file=pid_file)

    async def _remove(self, empty: Callable[[TaskCgroup], Awaitable[None]]) -> None:
        try:
            await self._runc.kill(self.cid, "KILL", all_processes=True)
            await self._runc.delete(self.cid)
            await empty(self.cgroup)
            await asyncio.to_thread(self.cgroup.destroy)
        finally:
            await asyncio.to_thread(shutil.rmtree, self.work, True)


def _secrets_mount_point(task_dir: Path) -> None:
    """runc gives a tmpfs the mode of the directory it lands on, so the copy's private
    `/secrets` is 0700 only if the task dir's `secrets` is (it is 0777 once the task's
    own tmpfs is gone). Made so beneath the task dir, refusing a link in its place."""
    with Root.open(task_dir) as root:
        try:
            root.ensure_dir("secrets", 0o700)
        except OSError as err:
            raise DriverError(f"failed to prepare the secrets dir: {err}") from err
