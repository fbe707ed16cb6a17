"""One -dev agent for fan-out, `-u` and job actions (issue 13 parts 5, 6, 8).

    fleet   raw_exec service, count 5 (fan-out)
    iso     exec service running as nobody, with actions `whoami` and `fail`
    raw     raw_exec service with action `hello`

`allow_exec_users` lists `daemon` and `ghost` (no such user) for exec, `daemon` for
raw_exec; nothing else.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.exec_driver.helpers import exec_job, run
from tests.integration.jobs import raw_exec_job

CONFIG = '''
plugin "raw_exec" {
  config {
    enabled          = true
    allow_exec_users = ["daemon"]
  }
}
plugin "exec" {
  config {
    allow_exec_users = ["daemon", "ghost"]
  }
}
'''


@dataclass
class Fleet:
    agent: AgentProcess
    fleet: list[dict[str, Any]]  # the five running allocations of job "fleet"
    iso: dict[str, Any]
    raw: dict[str, Any]


def cli(agent: AgentProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CARAVAN, *args], capture_output=True, text=True, env=agent.env,
                          timeout=120, check=False, stdin=subprocess.DEVNULL)


def running_allocs(agent: AgentProcess, job_id: str, count: int) -> list[dict[str, Any]]:
    def ready() -> list[dict[str, Any]] | None:
        stubs = httpx.get(f"{agent.address}/v1/job/{job_id}/allocations", timeout=10).json()
        up = [s for s in stubs if s["ClientStatus"] == "running"
              and all(t["State"] == "running" for t in (s.get("TaskStates") or {}).values())
              and s.get("TaskStates")]
        return up if len(up) == count else None

    return wait_until(ready, 90, what=f"{count} running allocs of {job_id}")  # type: ignore[no-any-return]


def with_actions(job: dict[str, Any], actions: list[dict[str, Any]]) -> dict[str, Any]:
    job["Job"]["TaskGroups"][0]["Tasks"][0]["Actions"] = actions
    return job


@pytest.fixture(scope="package")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    agent = AgentProcess(root=tmp_path_factory.mktemp("exec-more"), name="more", config=CONFIG)
    try:
        agent.start()
        body = raw_exec_job("fleet", count=5, memory=16, args=["-c", "exec sleep 3600"])
        httpx.post(f"{agent.address}/v1/jobs", json=body, timeout=10).raise_for_status()
        iso = run(agent, with_actions(
            exec_job("iso", "exec sleep 3600", job_type="service", user="nobody"),
            [{"Name": "whoami", "Command": "/usr/bin/id", "Args": ["-u"]},
             {"Name": "fail", "Command": "/bin/sh", "Args": ["-c", "echo bad >&2; exit 4"]}]),
            until="running")
        raw = run(agent, with_actions(
            raw_exec_job("raw", args=["-c", "exec sleep 3600"]),
            [{"Name": "hello", "Command": "/bin/echo", "Args": ["hello", "from", "raw"]}]),
            until="running")
        yield Fleet(agent, running_allocs(agent, "fleet", 5), iso, raw)
    finally:
        agent.stop()
