"""Run exec jobs on a real agent and read what their tasks printed."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.agents import AgentProcess, wait_until

_ids = itertools.count()


def exec_job(job_id: str, script: str, *, job_type: str = "batch", memory: int = 64,
             user: str = "", tasks: list[dict[str, Any]] | None = None,
             volumes: dict[str, Any] | None = None, **config: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Name": "main", "Driver": "exec", "User": user, "KillTimeout": 1_000_000_000,
        "Config": {"command": "/bin/sh", "args": ["-c", script], **config},
        "Resources": {"CPU": 100, "MemoryMB": memory},
    }
    group: dict[str, Any] = {"Name": "main", "Count": 1, "Tasks": tasks or [task],
                             "RestartPolicy": {"Attempts": 0, "Mode": "fail",
                                               "Interval": 60_000_000_000, "Delay": 0},
                             "ReschedulePolicy": {"Attempts": 0, "Unlimited": False}}
    if volumes:
        group["Volumes"] = volumes
    return {"Job": {"ID": job_id, "Type": job_type, "Datacenters": ["dc1"],
                    "Meta": {"rack": "r42"}, "TaskGroups": [group]}}


def run(agent: AgentProcess, job: dict[str, Any], *, until: str = "dead",
        timeout_s: float = 60) -> dict[str, Any]:
    """Register `job` and wait until its first task is `until` (running or dead)."""
    httpx.post(f"{agent.address}/v1/jobs", json=job, timeout=10).raise_for_status()
    job_id = job["Job"]["ID"]

    def reached() -> dict[str, Any] | None:
        allocs = httpx.get(f"{agent.address}/v1/job/{job_id}/allocations", timeout=10).json()
        for stub in allocs:
            states = stub.get("TaskStates") or {}
            if states and all(s["State"] == until for s in states.values()):
                full: dict[str, Any] = httpx.get(
                    f"{agent.address}/v1/allocation/{stub['ID']}", timeout=10).json()
                return full
        return None

    return wait_until(reached, timeout_s, what=f"{job_id} tasks {until}")  # type: ignore[no-any-return]


def logs(agent: AgentProcess, alloc: dict[str, Any], task: str = "main",
         stream: str = "stdout") -> str:
    r = httpx.get(f"{agent.address}/v1/client/fs/logs/{alloc['ID']}",
                  params={"task": task, "type": stream, "plain": "true"}, timeout=10)
    return r.text if r.status_code == 200 else ""


def output(agent: AgentProcess, script: str, **kw: Any) -> str:
    """Run `script` as a batch exec task to completion; its stdout."""
    job_id = f"exec-{next(_ids)}"
    alloc = run(agent, exec_job(job_id, script, **kw))
    return logs(agent, alloc)


def events(alloc: dict[str, Any], task: str = "main") -> list[dict[str, Any]]:
    return alloc["TaskStates"][task]["Events"]  # type: ignore[no-any-return]
