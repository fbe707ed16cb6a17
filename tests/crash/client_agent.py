"""A client agent to crash: server and client in one process (as the issue's report ran it),
heartbeats tolerant of a busy 2-core machine, and the jobs the crash tests run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.agents import AgentProcess

TASK_COMMAND = "/bin/sleep 600"
SECOND_NS = 1_000_000_000


@dataclass
class CrashAgent(AgentProcess):
    """Not -dev (a -dev agent destroys its allocations on stop); restarted with the same file."""

    dev: bool = False

    def write_config(self) -> Path:
        text = f'''
name = "{self.name}"
data_dir = "{self.data_dir}"
bind_addr = "127.0.0.1"
ports {{ http = {self.port} }}
server {{
  enabled = {str(self.server).lower()}
  heartbeat_grace = "60s"
  min_heartbeat_ttl = "20s"
}}
client {{
  enabled = {str(self.client).lower()}
  servers = [{", ".join(f'"{s}"' for s in self.servers)}]
}}
plugin "raw_exec" {{ config {{ enabled = true }} }}
{self.config}
'''
        path = self.root / self.name / "agent.hcl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def get(self, path: str, **params: str) -> Any:
        reply = httpx.get(f"{self.address}{path}", params=params, timeout=30)
        reply.raise_for_status()
        return reply.json()

    def register(self, job: dict[str, Any]) -> None:
        httpx.post(f"{self.address}/v1/jobs", json=job, timeout=30).raise_for_status()

    def purge(self, job_id: str) -> None:
        httpx.delete(f"{self.address}/v1/job/{job_id}", params={"purge": "true"},
                     timeout=30).raise_for_status()

    def allocs(self, job_id: str) -> list[dict[str, Any]]:
        return self.get(f"/v1/job/{job_id}/allocations")  # type: ignore[no-any-return]

    def running(self, job_id: str) -> int:
        return sum(a["ClientStatus"] == "running" for a in self.allocs(job_id))


def job(job_id: str, count: int, *, driver: str = "raw_exec", job_type: str = "service",
        command: str = TASK_COMMAND, restart: dict[str, Any] | None = None) -> dict[str, Any]:
    """`count` allocations of one task running `command`; small resources so 300 fit."""
    argv = command.split()
    task = {"Name": "main", "Driver": driver, "KillTimeout": SECOND_NS // 5,
            "Config": {"command": argv[0], "args": argv[1:]},
            "Resources": {"CPU": 5, "MemoryMB": 10},
            "LogConfig": {"MaxFiles": 2, "MaxFileSizeMB": 1}}
    group: dict[str, Any] = {
        "Name": "g", "Count": count, "Tasks": [task], "EphemeralDisk": {"SizeMB": 10},
        "RestartPolicy": restart or {"Attempts": 0, "Mode": "fail", "Interval": 60 * SECOND_NS,
                                     "Delay": 0},
        "ReschedulePolicy": {"Attempts": 0, "Unlimited": False}}
    return {"Job": {"ID": job_id, "Type": job_type, "Datacenters": ["dc1"],
                    "TaskGroups": [group]}}
