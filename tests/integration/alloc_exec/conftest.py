"""One -dev agent with the allocations every alloc exec test uses.

    web    exec service, user nobody, PID 1 is `sleep 3600`
    raw    raw_exec service
    multi  exec batch with two tasks: `short` is done at once, `long` keeps running
    done   raw_exec batch that has completed
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.integration.exec_driver.helpers import exec_job, run
from tests.integration.jobs import raw_exec_job


@dataclass
class Allocs:
    agent: AgentProcess
    web: dict[str, Any]
    raw: dict[str, Any]
    multi: dict[str, Any]
    done: dict[str, Any]


def exec_task(name: str, script: str) -> dict[str, Any]:
    return {"Name": name, "Driver": "exec", "User": "nobody", "KillTimeout": 1_000_000_000,
            "Config": {"command": "/bin/sh", "args": ["-c", script]},
            "Resources": {"CPU": 100, "MemoryMB": 64}}


@pytest.fixture(scope="package")
def allocs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Allocs]:
    agent = AgentProcess(root=tmp_path_factory.mktemp("exec"), name="exec")
    try:
        agent.start()
        # Every exec session's `runc init` is charged to the task's memory cgroup until it
        # execs the command: 50 concurrent sessions on a loaded machine overlap enough of
        # them to OOM-kill a 256 MB task, so the shared task gets room for them.
        web = run(agent, exec_job("web", "exec sleep 3600", job_type="service", user="nobody",
                                  memory=1024), until="running")
        raw = run(agent, raw_exec_job("raw", args=["-c", "exec sleep 3600"]), until="running")
        multi = run_multi(agent)
        done = run(agent, raw_exec_job("done", job_type="batch", args=["-c", "true"]),
                   until="dead")
        wait_until(lambda: _status(agent, done["ID"]) == "complete", what="done complete")
        yield Allocs(agent, web, raw, multi, done)
    finally:
        agent.stop()


def run_multi(agent: AgentProcess) -> dict[str, Any]:
    job = exec_job("multi", "", tasks=[exec_task("short", "true"),
                                       exec_task("long", "exec sleep 3600")])
    httpx.post(f"{agent.address}/v1/jobs", json=job, timeout=10).raise_for_status()

    def ready() -> dict[str, Any] | None:
        for stub in httpx.get(f"{agent.address}/v1/job/multi/allocations", timeout=10).json():
            states = stub.get("TaskStates") or {}
            if states.get("short", {}).get("State") == "dead" and \
                    states.get("long", {}).get("State") == "running":
                full: dict[str, Any] = httpx.get(
                    f"{agent.address}/v1/allocation/{stub['ID']}", timeout=10).json()
                return full
        return None

    return wait_until(ready, 60, what="multi: short dead, long running")  # type: ignore[no-any-return]


def _status(agent: AgentProcess, alloc_id: str) -> str:
    return str(httpx.get(f"{agent.address}/v1/allocation/{alloc_id}", timeout=10)
               .json()["ClientStatus"])
