"""A real agent (server + client) killed with SIGKILL: its tasks keep running, and the
restarted agent re-attaches to them, keeps their logs and collects their exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from caravan.client.drivers.executor import proc
from caravan.client.drivers.executor.launcher import read_exit
from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture
def agent(reaper: Path) -> Iterator[AgentProcess]:
    # Not -dev: a -dev agent destroys its allocations when it stops.
    agent = AgentProcess(root=reaper, name="agent", dev=False)
    try:
        yield agent.start()
    finally:
        # The tests have stopped their tasks by now. The agent may take long to exit on
        # SIGTERM (its HTTP server drains open blocking queries), so do not wait for that.
        agent.stop(timeout_s=3.0)


def _get(agent: AgentProcess, path: str, **params: str) -> Any:
    reply = httpx.get(f"{agent.address}{path}", params=params, timeout=10)
    reply.raise_for_status()
    return reply.json() if "json" in reply.headers.get("content-type", "") else reply.text


def _run_job(agent: AgentProcess, job_id: str, script: str, job_type: str) -> str:
    body = raw_exec_job(job_id, args=["-c", script], job_type=job_type, restart_attempts=0)
    httpx.post(f"{agent.address}/v1/jobs", json=body, timeout=10).raise_for_status()
    allocs = wait_until(lambda: [a for a in _get(agent, f"/v1/job/{job_id}/allocations")
                                 if a["ClientStatus"] == "running"], 20, what="a running alloc")
    return str(allocs[0]["ID"])


def _local_task(agent: AgentProcess, alloc_id: str) -> dict[str, Any]:
    saved = json.loads((agent.data_dir / "client" / "allocs" / f"{alloc_id}.json").read_text())
    return saved["tasks"]["main"]  # type: ignore[no-any-return]


def _task_identity(agent: AgentProcess, alloc_id: str) -> proc.ProcIdentity:
    state = _local_task(agent, alloc_id)["handle"]["driver_state"]
    return proc.ProcIdentity(pid=state["task_pid"], start_time=state["task_start_time"])


def test_running_task_survives_sigkill_and_is_stopped_later(agent: AgentProcess) -> None:
    alloc_id = _run_job(agent, "svc", "echo up; while :; do sleep 0.1; done", "service")
    task = _task_identity(agent, alloc_id)
    agent.kill()
    assert proc.is_running(task)
    agent.start()
    wait_until(lambda: _get(agent, f"/v1/allocation/{alloc_id}")["ClientStatus"] == "running"
               and _local_task(agent, alloc_id)["task_state"]["state"] == "running", 20,
               what="alloc running after restart")
    assert _task_identity(agent, alloc_id) == task  # the same process: re-attached
    events = [e["Type"] for e in
              _get(agent, f"/v1/allocation/{alloc_id}")["TaskStates"]["main"]["Events"]]
    assert events.count("Started") == 1
    logs = _get(agent, f"/v1/client/fs/logs/{alloc_id}", task="main", type="stdout",
                plain="true")
    assert logs == "up\n"
    httpx.delete(f"{agent.address}/v1/job/svc", timeout=10).raise_for_status()
    wait_until(lambda: _get(agent, f"/v1/allocation/{alloc_id}")["ClientStatus"] == "complete",
               20, what="alloc complete")
    wait_until(lambda: not proc.is_running(task), 10, what="task gone")


def test_exit_while_agent_is_down_is_reported(agent: AgentProcess) -> None:
    script = 'echo up; while [ ! -f "$NOMAD_TASK_DIR/go" ]; do sleep 0.05; done; exit 0'
    alloc_id = _run_job(agent, "batch", script, "batch")
    state_dir = agent.data_dir / "client" / "executor" / alloc_id / "main"
    agent.kill()
    (agent.data_dir / "alloc" / alloc_id / "main" / "local" / "go").touch()
    wait_until(lambda: read_exit(state_dir), 10, what="the executor's exit record")
    agent.start()
    wait_until(lambda: _get(agent, f"/v1/allocation/{alloc_id}")["ClientStatus"] == "complete",
               20, what="alloc complete")
    events = _get(agent, f"/v1/allocation/{alloc_id}")["TaskStates"]["main"]["Events"]
    assert [e["Type"] for e in events] == ["Received", "Task Setup", "Started", "Terminated"]
    assert events[-1]["DisplayMessage"] == "Exit Code: 0"
