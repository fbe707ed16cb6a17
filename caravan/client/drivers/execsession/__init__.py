"""`alloc exec` on the client: a driver's command run with its stdio on an `ExecStream`.

Both drivers that offer exec use it: raw_exec runs the command on the host as the
task runs, exec runs `runc exec` into the task's container.

    session.py   `run_exec`: spawn, pump stdin/stdout/stderr and resizes, the exit code
    stdio.py     the pty pair or pipes, non-blocking, and waiting on them
    proctree.py  the command's PID and the SIGKILL of its process tree
    copy.py      `alloc cp`: `run_copy` runs cphelper.py (a tar written or unpacked as
                 the task's user, in the task's view) as the exec command

The frames on the wire are `caravan.execproto.frames`; the session sees only
`ExecStream` (`client.drivers.base`).
"""

from caravan.client.drivers.execsession.copy import CopyView, run_copy
from caravan.client.drivers.execsession.session import ExecLaunch, ExecStartFailed, run_exec

__all__ = ["CopyView", "ExecLaunch", "ExecStartFailed", "run_copy", "run_exec"]
