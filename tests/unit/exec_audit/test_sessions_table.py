"""`caravan exec sessions` rows: what a caller sent is shown, never obeyed by the terminal."""

from __future__ import annotations

from caravan.cli.exec_sessions import HEADER, _row
from caravan.structs.exec_audit import ExecSession


def _record(**kw: object) -> ExecSession:
    base = {"id": "0123456789abcdef", "alloc_id": "fedcba9876543210", "job_id": "web",
            "task": "main", "start_time": 1_700_000_000 * 10**9}
    return ExecSession.model_validate({**base, **kw})


def test_control_characters_in_a_command_are_escaped() -> None:
    row = _row(_record(command=["sh", "-c", "echo \x1b]0;pwned\x07\nrm -rf /"],
                       end_time=1_700_000_001 * 10**9, exit_code=0), verbose=True)
    assert len(row) == len(HEADER)
    command = row[HEADER.index("Command")]
    assert "\x1b" not in command and "\n" not in command and "\x07" not in command
    assert command == "sh -c echo \\x1b]0;pwned\\x07\\nrm -rf /"


def test_an_open_session_and_an_error_instead_of_an_exit_code() -> None:
    open_row = _row(_record(command=["top"], tty=True, user="app"), verbose=False)
    assert open_row[HEADER.index("Duration")] == "running"
    assert open_row[HEADER.index("Kind")] == "exec -u app (tty)"
    assert open_row[HEADER.index("Exit")] == "-"
    failed = _row(_record(end_time=1, error="failed to start command: no such file"), False)
    assert failed[HEADER.index("Exit")] == "failed to start command: no such file"[:40]
