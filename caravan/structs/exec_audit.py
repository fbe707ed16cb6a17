"""One exec session's audit record, as the client writes it, the server stores it and
`GET /v1/exec/sessions` returns it (caravan's own shape; Nomad has no such record).

`Kind` names the session kind (`exec`, `cp`, `port-forward`, `debug`, `action`): every
kind that reaches a task through the exec channel writes one. `EndTime` 0 means the
session is still open (or its agent died before it ended); `ExitCode` is None when
the session ended without one (`Error` then says why).
"""

from __future__ import annotations

from pydantic import Field

from caravan.structs.base import Struct


class ExecSession(Struct):
    id: str = ""
    kind: str = "exec"
    accessor_id: str = ""  # "" with ACLs disabled; "anonymous" for the anonymous token
    token_name: str = ""
    namespace: str = "default"
    job_id: str = ""
    alloc_id: str = ""
    task: str = ""
    command: list[str] = Field(default_factory=list)
    tty: bool = False
    user: str = ""  # `alloc exec -u`; "" runs as the task's own user
    start_time: int = 0  # Unix ns
    end_time: int = 0
    exit_code: int | None = None
    error: str = ""
    bytes_in: int = 0  # stdin the caller sent
    bytes_out: int = 0  # stdout and stderr the caller received
    node_id: str = ""  # the agent that served the session
    node_name: str = ""
    recorded: bool = False  # an asciicast recording exists on the node
    recorded_input: bool = False
    recording_truncated: bool = False  # longer than the client's exec_recording.max_size

    def ended(self) -> bool:
        return self.end_time != 0
