"""The in-task end of `alloc cp`: a process of its own that writes or reads a tar stream
as the task's user, inside the task's filesystem view, without any tool in the task.

    python3 -I -S cphelper.py '<spec json>'        (started as root by `copy.run_copy`)

    load caravan.tarcopy (everything it needs, before the view changes)
      ─▶ exec task: join the container's mount namespace (its root, masks, secrets)
      ─▶ chdir to the task's working directory
      ─▶ drop to the task's groups, gid and uid; no_new_privs
      ─▶ download: the tar of `path` on stdout │ upload: stdin's tar unpacked at `path`
    errors: one line on stderr, exit 1

A task can reach nothing here it could not reach from an exec session: the files are
opened by its own user, in its own view. Standard library only, as the executor.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from typing import Any

_CLONE_NEWNS = 0x00020000
_PR_SET_NO_NEW_PRIVS = 38


def _join_mount_ns(pid: int) -> None:
    """Enter the mount namespace of `pid` (the container's init): after runc's pivot_root
    its root is the container's root, which setns makes ours."""
    host_root = os.stat("/")
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    try:
        if libc.setns(fd, _CLONE_NEWNS) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns: {os.strerror(err)}")
    finally:
        os.close(fd)
    root = os.stat("/")
    if (root.st_dev, root.st_ino) == (host_root.st_dev, host_root.st_ino):
        raise OSError("the task's mount namespace has the host's root")


def _drop(uid: int | None, gid: int | None, groups: list[int]) -> None:
    if gid is not None:
        os.setgroups(groups)
        os.setresgid(gid, gid, gid)
    if uid is not None:
        os.setresuid(uid, uid, uid)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def _arcname(path: str) -> str:
    return os.path.basename(os.path.normpath(path)) or "."


def _run(spec: dict[str, Any]) -> None:
    sys.path.insert(0, spec["caravan_root"])
    from caravan import tarcopy  # noqa: PLC0415 - needs the path above

    if spec.get("mount_ns_pid"):
        _join_mount_ns(int(spec["mount_ns_pid"]))
    os.chdir(spec["cwd"])
    _drop(spec.get("uid"), spec.get("gid"), list(spec.get("groups") or []))
    if spec["direction"] == "download":
        tarcopy.pack(spec["path"], _arcname(spec["path"]), sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        tarcopy.unpack(sys.stdin.buffer, spec["path"])


def main() -> int:
    spec = json.loads(sys.argv[1])
    try:
        _run(spec)
    except BrokenPipeError:
        return 1  # the caller went away
    except OSError as err:
        sys.stderr.write(f"{err.filename or spec['path']}: {err.strerror or err}\n")
        return 1
    except Exception as err:  # the process's edge (CaravanError and the rest): one line
        sys.stderr.write(f"{err}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
