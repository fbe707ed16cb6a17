"""Small Nomad-JSON jobs for integration tests (what python-nomad users send)."""

from __future__ import annotations

from typing import Any


def raw_exec_job(job_id: str, *, command: str = "/bin/sh", args: list[str] | None = None,
                 count: int = 1, job_type: str = "service", cpu: int = 100, memory: int = 32,
                 constraints: list[dict[str, str]] | None = None,
                 restart_attempts: int | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Name": "main", "Driver": "raw_exec",
        "Config": {"command": command,
                   "args": args if args is not None else ["-c", "echo started; sleep 300"]},
        "Resources": {"CPU": cpu, "MemoryMB": memory},
        "KillTimeout": 1_000_000_000,
    }
    group: dict[str, Any] = {"Name": "main", "Count": count, "Tasks": [task]}
    if restart_attempts is not None:
        group["RestartPolicy"] = {"Attempts": restart_attempts, "Interval": 60_000_000_000,
                                  "Delay": 100_000_000, "Mode": "fail"}
    job: dict[str, Any] = {"ID": job_id, "Name": job_id, "Type": job_type,
                           "Datacenters": ["dc1"], "TaskGroups": [group]}
    if constraints:
        job["Constraints"] = constraints
    return {"Job": job}
