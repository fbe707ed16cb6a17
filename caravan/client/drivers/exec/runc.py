"""The runc command line, as the exec driver uses it: version, kill, delete, list, state,
exec.

`runc run --detach` is started by the task's executor, which reaps the container's
process as its child subreaper (the task must outlive the agent);
everything here is short-lived and goes through `caravan.process`, with a deadline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from caravan import process
from caravan.errors import DriverError, ProcessFailed

_ID_OK = re.compile(r"[^\w+.-]")
# runc kill/delete/list return in milliseconds; a hung runc must not hang the client.
CALL_TIMEOUT_S = 60.0


def container_id(alloc_id: str, task_name: str) -> str:
    """runc IDs allow `[\\w+.-]`: task names with other characters are folded to `_`."""
    return f"{alloc_id}-{_ID_OK.sub('_', task_name)}"


class Runc:
    def __init__(self, binary: str, root: Path) -> None:
        self.binary = binary
        self.root = root

    def base(self) -> list[str]:
        return [self.binary, "--root", str(self.root)]

    def version(self) -> str:
        """`runc --version`'s first line; raises DriverError when runc cannot run."""
        try:
            done = process.run_sync([self.binary, "--version"], timeout_s=10)
        except ProcessFailed as err:
            raise DriverError(f"runc is not runnable: {err}") from err
        out, err_text = done.text()
        if done.returncode != 0:
            raise DriverError(f"runc --version failed: {err_text.strip()}")
        return out.splitlines()[0] if out else "runc"

    def run_argv(self, bundle: Path, cid: str, pid_file: Path, *, no_pivot: bool) -> list[str]:
        """`runc run --detach`: runc exits once the container runs, its stdio passed
        through to the container's process, whose host PID it writes to `pid_file`."""
        args = [*self.base(), "run", "--detach", "--pid-file", str(pid_file),
                "--bundle", str(bundle)]
        if no_pivot:
            args.append("--no-pivot")
        return [*args, cid]

    async def kill(self, cid: str, signal: str, *, all_processes: bool = False) -> bool:
        """Send `signal`; False when the container is not running (nothing to signal)."""
        args = ["kill", "--all", cid, signal] if all_processes else ["kill", cid, signal]
        code, _, err = await self._call(*args)
        if code != 0 and "not running" not in err and "does not exist" not in err:
            raise DriverError(f"runc kill {cid} {signal}: {err.strip()}")
        return code == 0

    def exists(self, cid: str) -> bool:
        """Whether runc keeps state for `cid` (cheaper than asking runc)."""
        return (self.root / cid).exists()

    async def delete(self, cid: str) -> None:
        if not self.exists(cid):
            return
        code, _, err = await self._call("delete", "--force", cid)
        if code != 0 and "does not exist" not in err:
            raise DriverError(f"runc delete {cid}: {err.strip()}")

    async def init_pid(self, cid: str) -> int:
        """The host PID of the running container's init process, whose `/proc/<pid>/root`
        is the container's filesystem as its processes see it."""
        code, out, err = await self._call("state", cid)
        if code != 0:
            raise DriverError(f"runc state {cid}: {err.strip()}")
        state = json.loads(out)
        if state.get("status") != "running" or not state.get("pid"):
            raise DriverError("task is not running")
        return int(state["pid"])

    async def list_ids(self) -> list[str]:
        if not self.root.exists():
            return []  # nothing was ever run under this root
        code, out, err = await self._call("list", "--format", "json")
        if code != 0:
            raise DriverError(f"runc list: {err.strip()}")
        return [c["id"] for c in json.loads(out or "null") or []]

    async def _call(self, *args: str) -> tuple[int, str, str]:
        try:
            done = await process.run([*self.base(), *args], timeout_s=CALL_TIMEOUT_S)
        except ProcessFailed as err:
            raise DriverError(f"runc {args[0]}: {err}") from err
        return (done.returncode, *done.text())
