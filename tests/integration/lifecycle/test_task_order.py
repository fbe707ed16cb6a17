"""Lifecycle hooks in a real agent: prestart, sidecars, poststart and poststop run in
Nomad's order, seen in the tasks' own events and in what they leave in the alloc dir."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until

pytestmark = pytest.mark.integration


def _task(name: str, script: str, hook: str = "", sidecar: bool = False) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Name": name, "Driver": "raw_exec", "KillTimeout": 1_000_000_000,
        "Config": {"command": "/bin/sh", "args": ["-c", script]},
        "Resources": {"CPU": 50, "MemoryMB": 32},
        "RestartPolicy": {"Attempts": 0, "Mode": "fail"},
    }
    if hook:
        task["Lifecycle"] = {"Hook": hook, "Sidecar": sidecar}
    return task


def _job(job_id: str, tasks: list[dict[str, Any]], job_type: str = "batch") -> dict[str, Any]:
    group = {"Name": "g", "Count": 1, "Tasks": tasks,
             "RestartPolicy": {"Attempts": 0, "Mode": "fail"},
             "ReschedulePolicy": {"Attempts": 0, "Unlimited": False}}
    return {"Job": {"ID": job_id, "Type": job_type, "Datacenters": ["dc1"],
                    "TaskGroups": [group]}}


def _run(agent: AgentProcess, body: dict[str, Any]) -> None:
    reply = httpx.put(f"{agent.address}/v1/jobs", json=body, timeout=10)
    assert reply.status_code == 200, reply.text


def _alloc(agent: AgentProcess, job_id: str) -> dict[str, Any]:
    (stub,) = httpx.get(f"{agent.address}/v1/job/{job_id}/allocations", timeout=10).json()
    alloc: dict[str, Any] = httpx.get(f"{agent.address}/v1/allocation/{stub['ID']}",
                                      timeout=10).json()
    return alloc


def _final(agent: AgentProcess, job_id: str, status: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        try:
            alloc = _alloc(agent, job_id)
        except ValueError:
            return None
        states = alloc.get("TaskStates") or {}
        dead = states and all(s["State"] == "dead" for s in states.values())
        return alloc if dead and alloc["ClientStatus"] == status else None
    return wait_until(done, 60, what=f"{job_id}: every task dead, alloc {status}")


def _at(alloc: dict[str, Any], task: str, event: str) -> int:
    """When `task` had its first `event`."""
    times = [e["Time"] for e in alloc["TaskStates"][task]["Events"] if e["Type"] == event]
    assert times, (task, event, [e["Type"] for e in alloc["TaskStates"][task]["Events"]])
    return int(times[0])


def _state(alloc: dict[str, Any], task: str) -> str:
    """The task's state; "" before the client has reported any."""
    state: str = ((alloc.get("TaskStates") or {}).get(task) or {}).get("State", "")
    return state


def _purge(agent: AgentProcess, job_id: str) -> None:
    httpx.delete(f"{agent.address}/v1/job/{job_id}?purge=true", timeout=10)


def test_batch_group_runs_in_lifecycle_order(dev_agent: AgentProcess) -> None:
    marks = "$NOMAD_ALLOC_DIR/marks"
    _run(dev_agent, _job("order", [
        _task("main", f"test -f {marks}.init && test -f {marks}.side && sleep 1 && "
                      f"echo main >> {marks}"),
        _task("init", f"sleep 1; touch {marks}.init", hook="prestart"),
        _task("side", f"touch {marks}.side; sleep 300", hook="prestart", sidecar=True),
        _task("post", f"echo post >> {marks}", hook="poststart"),
        _task("after", f"test -f {marks}.init && grep -q main {marks}", hook="poststop"),
    ]))
    try:
        alloc = _final(dev_agent, "order", "complete")
        states = alloc["TaskStates"]
        # main needs the prestart task's and the sidecar's files: it exited 0 only if both
        # ran before it; the poststop task found main's line
        assert all(not s["Failed"] for s in states.values()), states
        assert _at(alloc, "init", "Terminated") <= _at(alloc, "main", "Started")
        assert _at(alloc, "side", "Started") <= _at(alloc, "main", "Started")
        assert _at(alloc, "main", "Started") <= _at(alloc, "post", "Started")
        # the sidecar was stopped because the main task died, then poststop ran
        assert _at(alloc, "side", "Main Tasks Dead") >= _at(alloc, "main", "Terminated")
        assert _at(alloc, "after", "Started") >= _at(alloc, "side", "Killed")
        status = subprocess.run([CARAVAN, "alloc", "status", alloc["ID"]], env=dev_agent.env,
                                capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stderr
        headers = [line for line in status.stdout.splitlines() if line.startswith("Task \"")]
        assert headers == ['Task "after" (poststop) is "dead"', 'Task "init" (prestart) is "dead"',
                           'Task "post" (poststart) is "dead"',
                           'Task "side" (prestart sidecar) is "dead"', 'Task "main" is "dead"']
        short = subprocess.run([CARAVAN, "alloc", "status", "-short", alloc["ID"]],
                               env=dev_agent.env, capture_output=True, text=True, timeout=60)
        lifecycle = {line.split()[0]: line.rsplit("  ", 1)[-1].strip()
                     for line in short.stdout.splitlines()[-5:]}
        assert lifecycle == {"after": "poststop", "init": "prestart", "post": "poststart",
                             "side": "prestart sidecar", "main": "main"}, short.stdout
    finally:
        _purge(dev_agent, "order")


def test_failed_prestart_fails_the_alloc_and_main_never_starts(
        dev_agent: AgentProcess) -> None:
    _run(dev_agent, _job("badinit", [
        _task("main", "echo should-not-run; sleep 300"),
        _task("init", "exit 7", hook="prestart"),
        _task("cleanup", "true", hook="poststop"),
    ]))
    try:
        alloc = _final(dev_agent, "badinit", "failed")
        main = alloc["TaskStates"]["main"]
        assert "Started" not in [e["Type"] for e in main["Events"]], main["Events"]
        assert alloc["TaskStates"]["init"]["Failed"]
        # poststop tasks run however the others ended
        assert _at(alloc, "cleanup", "Started") >= _at(alloc, "init", "Terminated")
    finally:
        _purge(dev_agent, "badinit")


def test_stopping_a_service_runs_its_poststop_task(dev_agent: AgentProcess) -> None:
    _run(dev_agent, _job("svc", [
        _task("main", "sleep 300"),
        _task("goodbye", "echo bye", hook="poststop"),
    ], job_type="service"))
    try:
        wait_until(lambda: _state(_alloc(dev_agent, "svc"), "main") == "running", 60,
                   what="main running")
        alloc = _alloc(dev_agent, "svc")
        assert alloc["TaskStates"]["goodbye"]["State"] == "pending"
        httpx.delete(f"{dev_agent.address}/v1/job/svc", timeout=10)
        stopped = _final(dev_agent, "svc", "complete")
        assert _at(stopped, "goodbye", "Started") >= _at(stopped, "main", "Killed")
        assert stopped["TaskStates"]["goodbye"]["Events"][-1]["ExitCode"] == 0
    finally:
        _purge(dev_agent, "svc")


@pytest.mark.parametrize(("lifecycles", "message"), [
    ([{"Hook": "sometime"}], "invalid hook: sometime"),
    ([{"Hook": "prestart"}], "Task group g must have at least one main task"),
])
def test_bad_lifecycles_are_refused(dev_agent: AgentProcess, lifecycles: list[dict[str, Any]],
                                    message: str) -> None:
    body = _job("badlc", [_task("t", "true")])
    body["Job"]["TaskGroups"][0]["Tasks"][0]["Lifecycle"] = lifecycles[0]
    reply = httpx.put(f"{dev_agent.address}/v1/jobs", json=body, timeout=10)
    assert reply.status_code == 400 and message in reply.text, reply.text
    assert httpx.get(f"{dev_agent.address}/v1/job/badlc", timeout=10).status_code == 404
