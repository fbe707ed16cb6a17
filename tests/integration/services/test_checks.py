"""Health checks run by a real client: an http check against the task's own server, a
script check inside an exec task (through the exec path: its chroot and user), and
`check_restart` restarting a task whose check keeps failing."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until

pytestmark = pytest.mark.integration

SECOND = 1_000_000_000


def _task(driver: str, script: str, **over: Any) -> dict[str, Any]:
    task = {"Name": "t", "Driver": driver, "KillTimeout": SECOND,
            "Config": {"command": "/bin/sh", "args": ["-c", script]},
            "Resources": {"CPU": 50, "MemoryMB": 64}, **over}
    if driver == "exec":
        task["User"] = "nobody"
    return task


def _job(job_id: str, task: dict[str, Any], checks: list[dict[str, Any]],
         check_restart: dict[str, Any] | None = None) -> dict[str, Any]:
    service: dict[str, Any] = {"Name": f"{job_id}-svc", "PortLabel": "http", "Checks": checks}
    if check_restart:
        service["CheckRestart"] = check_restart
    group = {"Name": "g", "Count": 1, "Tasks": [task], "Services": [service],
             "Networks": [{"DynamicPorts": [{"Label": "http"}]}],
             "RestartPolicy": {"Attempts": 5, "Interval": 600 * SECOND, "Delay": SECOND // 10,
                               "Mode": "fail"}}
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"],
                    "TaskGroups": [group]}}


def _start(agent: AgentProcess, body: dict[str, Any]) -> str:
    reply = httpx.put(f"{agent.address}/v1/jobs", json=body, timeout=10)
    assert reply.status_code == 200, reply.text
    job_id = body["Job"]["ID"]
    stubs = wait_until(lambda: [a for a in httpx.get(
        f"{agent.address}/v1/job/{job_id}/allocations", timeout=10).json()
        if a["ClientStatus"] == "running"], 60, what=f"{job_id} running")
    return str(stubs[0]["ID"])


def _checks(agent: AgentProcess, alloc_id: str) -> dict[str, dict[str, Any]]:
    reply = httpx.get(f"{agent.address}/v1/client/allocation/{alloc_id}/checks", timeout=10)
    assert reply.status_code == 200, reply.text
    return {c["Check"]: c for c in reply.json().values()}


def _purge(agent: AgentProcess, job_id: str) -> None:
    httpx.delete(f"{agent.address}/v1/job/{job_id}?purge=true", timeout=10)


def test_http_and_script_checks_in_an_exec_task(dev_agent: AgentProcess) -> None:
    serve = "exec python3 -m http.server --bind $NOMAD_IP_http $NOMAD_PORT_http"
    checks = [
        {"Name": "web", "Type": "http", "Path": "/", "Interval": SECOND, "Timeout": SECOND},
        {"Name": "ready", "Type": "script", "TaskName": "t", "Command": "/bin/sh",
         "Args": ["-c", "id -u; test -f /local/ready"], "Interval": SECOND,
         "Timeout": 5 * SECOND},
    ]
    alloc_id = _start(dev_agent, _job("chk", _task("exec", serve), checks))
    try:
        web = wait_until(lambda: (c := _checks(dev_agent, alloc_id)["web"])["Status"] ==
                         "success" and c, 60, what="the http check passing")
        assert (web["StatusCode"], web["Output"], web["Mode"]) == (200, "nomad: http ok",
                                                                  "healthiness")
        ready = wait_until(lambda: (c := _checks(dev_agent, alloc_id)["ready"])["Status"] ==
                           "failure" and c["Output"].strip().isdigit() and c, 60,
                           what="the script check failing in the running task")
        assert ready["Output"].strip() == "65534"  # inside the task, as its user (nobody)
        # the file appears inside the task's own filesystem: the check flips
        exec_touch = subprocess.run([CARAVAN, "alloc", "exec", "-i=false", alloc_id,
                                     "/bin/sh", "-c", "touch /local/ready"],
                                    env=dev_agent.env, capture_output=True, timeout=60)
        assert exec_touch.returncode == 0, exec_touch.stderr
        wait_until(lambda: _checks(dev_agent, alloc_id)["ready"]["Status"] == "success", 60,
                   what="the script check passing")
        shown = subprocess.run([CARAVAN, "alloc", "checks", alloc_id], env=dev_agent.env,
                               capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith("Status of 2 Nomad Service Checks\n")
        assert "StatusCode  =  200" in shown.stdout and "Output      =  nomad: http ok" in \
            shown.stdout
    finally:
        _purge(dev_agent, "chk")


def test_check_restart_restarts_a_task_whose_check_keeps_failing(
        dev_agent: AgentProcess) -> None:
    # nothing listens on the port: the tcp check fails every time
    checks = [{"Name": "dead-port", "Type": "tcp", "Interval": SECOND, "Timeout": SECOND}]
    alloc_id = _start(dev_agent, _job("sick", _task("raw_exec", "sleep 300"), checks,
                                      check_restart={"Limit": 2, "Grace": 0}))
    try:
        def restarted() -> list[dict[str, Any]] | None:
            alloc = httpx.get(f"{dev_agent.address}/v1/allocation/{alloc_id}", timeout=10).json()
            events = alloc["TaskStates"]["t"]["Events"]
            signaled = [e for e in events if e["Type"] == "Restart Signaled"]
            return signaled or None
        (event, *_) = wait_until(restarted, 60, what="a restart for the failing check")
        assert event["RestartReason"] == 'healthcheck: check "dead-port" unhealthy'
        failing = _checks(dev_agent, alloc_id)["dead-port"]
        assert failing["Status"] in ("failure", "pending")
    finally:
        _purge(dev_agent, "sick")


@pytest.mark.parametrize(("check", "message"), [
    ({"Type": "grpc", "Interval": SECOND, "Timeout": SECOND}, 'invalid check type "grpc"'),
    ({"Type": "tcp", "Interval": SECOND // 2, "Timeout": SECOND}, "cannot be lower than 1s"),
    ({"Type": "http", "Interval": SECOND, "Timeout": SECOND}, "http type must have http path"),
    ({"Type": "script", "Command": "true", "Interval": SECOND, "Timeout": SECOND},
     "script checks in group services must set task"),
])
def test_bad_checks_are_refused(dev_agent: AgentProcess, check: dict[str, Any],
                                message: str) -> None:
    reply = httpx.put(f"{dev_agent.address}/v1/jobs",
                      json=_job("badchk", _task("raw_exec", "sleep 1"), [check]), timeout=10)
    assert reply.status_code == 400 and message in reply.text, reply.text
