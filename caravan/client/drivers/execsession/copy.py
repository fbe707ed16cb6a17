"""`alloc cp` on the client: the copy helper (`cphelper.py`) run as an exec command.

A driver says where its task's files are (`CopyView`); `run_copy` starts the helper
with `run_exec`, so the tar travels on the session's stdin or stdout, the helper's
errors on stderr, and the exit code and cancellation work as for any exec command.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import caravan
from caravan.client.drivers.base import ExecStream
from caravan.client.drivers.execsession.session import ExecLaunch, run_exec
from caravan.execproto.copy import CopyRequest

HELPER_PATH = Path(__file__).with_name("cphelper.py")
_CARAVAN_ROOT = str(Path(caravan.__file__).resolve().parent.parent)


@dataclass(frozen=True)
class CopyView:
    """A task's filesystem view and user, as an exec session into it has them."""

    cwd: str
    uid: int | None = None  # None: the agent's own user (raw_exec without `user`)
    gid: int | None = None
    groups: list[int] = field(default_factory=list)
    # Join this process's mount namespace first (an exec task's container init).
    mount_ns_pid: int | None = None


async def run_copy(python: str, view: CopyView, request: CopyRequest,
                   stream: ExecStream) -> int:
    """Run one copy (see the module docstring); returns the helper's exit code."""
    spec = {"caravan_root": _CARAVAN_ROOT, "direction": request.direction,
            "path": request.path, "cwd": view.cwd, "uid": view.uid, "gid": view.gid,
            "groups": view.groups, "mount_ns_pid": view.mount_ns_pid}
    launch = ExecLaunch(argv=[python, "-I", "-S", str(HELPER_PATH), json.dumps(spec)],
                        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                             "LC_ALL": "C.UTF-8"}, tty=False)
    return await run_exec(launch, stream)
