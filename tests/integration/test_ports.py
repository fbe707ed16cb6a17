"""Ports with host networking in a real agent: the scheduler hands out host ports, the
task learns them from Nomad's variables and serves on them, collisions block placement
with Nomad's words, and bridge mode is refused plainly."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until

pytestmark = pytest.mark.integration

SERVE = ("env | grep -E '^NOMAD_(PORT|HOST_PORT|ADDR|IP)_' | sort; "
         "exec python3 -m http.server --bind $NOMAD_IP_http $NOMAD_PORT_http")


def _job(job_id: str, network: dict[str, Any], *, count: int = 1,
         script: str = "sleep 300") -> dict[str, Any]:
    task = {"Name": "t", "Driver": "raw_exec", "KillTimeout": 1_000_000_000,
            "Config": {"command": "/bin/sh", "args": ["-c", script]},
            "Resources": {"CPU": 50, "MemoryMB": 48}}
    group = {"Name": "g", "Count": count, "Networks": [network], "Tasks": [task]}
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"],
                    "TaskGroups": [group]}}


def _get(agent: AgentProcess, path: str) -> Any:
    return httpx.get(f"{agent.address}{path}", timeout=10).json()


def _purge(agent: AgentProcess, *job_ids: str) -> None:
    for job_id in job_ids:
        httpx.delete(f"{agent.address}/v1/job/{job_id}?purge=true", timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:  # not listening yet
        return False


def _logs(agent: AgentProcess, alloc_id: str) -> str:
    reply = httpx.get(f"{agent.address}/v1/client/fs/logs/{alloc_id}",
                      params={"task": "t", "type": "stdout", "plain": "true"}, timeout=10)
    return reply.text


def test_dynamic_ports_reach_the_task_and_are_never_shared(dev_agent: AgentProcess) -> None:
    network = {"Mode": "host", "DynamicPorts": [{"Label": "http"}, {"Label": "admin",
                                                                     "To": 9000}]}
    reply = httpx.put(f"{dev_agent.address}/v1/jobs",
                      json=_job("ports", network, count=2, script=SERVE), timeout=10)
    assert reply.status_code == 200, reply.text
    try:
        allocs = wait_until(lambda: (a := _get(dev_agent, "/v1/job/ports/allocations")) and
                            len(a) == 2 and all(x["ClientStatus"] == "running" for x in a)
                            and a, 60, what="two allocs running")
        seen: list[int] = []
        for stub in allocs:
            alloc = _get(dev_agent, f"/v1/allocation/{stub['ID']}")
            ports = {p["Label"]: p for p in alloc["AllocatedResources"]["Shared"]["Ports"]}
            seen += [p["Value"] for p in ports.values()]
            assert ports["admin"]["To"] == 9000
            assert all(20000 <= p["Value"] <= 32000 for p in ports.values())
            http = ports["http"]
            env = wait_until(lambda: "NOMAD_PORT_http" in (text := _logs(dev_agent, stub["ID"]))
                             and text, 30, what="the task's port variables")
            assert f"NOMAD_PORT_http={http['Value']}" in env
            assert f"NOMAD_ADDR_http={http['HostIP']}:{http['Value']}" in env
            assert f"NOMAD_PORT_admin=9000" in env
            assert f"NOMAD_HOST_PORT_admin={ports['admin']['Value']}" in env
            # the task serves on the port it was given
            address = f"http://{http['HostIP']}:{http['Value']}/"
            wait_until(lambda: _answers(address), 30, what=f"the task answering on {address}")
        assert len(seen) == len(set(seen)) == 4
        status = subprocess.run([CARAVAN, "alloc", "status", allocs[0]["ID"]],
                                env=dev_agent.env, capture_output=True, text=True, timeout=60)
        assert 'Allocation Addresses (mode = "host"):' in status.stdout
        assert re.search(r"^\*admin\s+yes\s+\S+:\d+ -> 9000$", status.stdout, re.M), status.stdout
    finally:
        _purge(dev_agent, "ports")


def test_a_taken_static_port_blocks_placement(dev_agent: AgentProcess, tmp_path: Path) -> None:
    network = {"Mode": "host", "ReservedPorts": [{"Label": "fixed", "Value": 29123}]}
    try:
        first = httpx.put(f"{dev_agent.address}/v1/jobs", json=_job("static-a", network),
                          timeout=10)
        assert first.status_code == 200
        wait_until(lambda: any(a["ClientStatus"] == "running" for a in
                               _get(dev_agent, "/v1/job/static-a/allocations")), 60,
                   what="the first holder running")
        job_file = tmp_path / "b.hcl"
        job_file.write_text('job "static-b" {\n  group "g" {\n    network {\n'
                            '      port "fixed" {\n        static = 29123\n      }\n    }\n'
                            '    task "t" {\n      driver = "raw_exec"\n      config {\n'
                            '        command = "/bin/sleep"\n        args = ["300"]\n'
                            '      }\n    }\n  }\n}\n')
        run = subprocess.run([CARAVAN, "job", "run", str(job_file)], env=dev_agent.env,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 2, run.stdout + run.stderr
        assert ('Dimension "network: reserved port collision fixed=29123" exhausted on 1 nodes'
                in run.stdout)
    finally:
        _purge(dev_agent, "static-a", "static-b")


@pytest.mark.parametrize(("network", "message"), [
    ({"Mode": "bridge"}, 'network mode "bridge" is not supported by caravan yet'),
    ({"ReservedPorts": [{"Label": "a", "Value": 80}, {"Label": "a", "Value": 81}]},
     "Port label a already in use by taskgroup network"),
    ({"ReservedPorts": [{"Label": "a", "Value": 70000}]}, "cannot be greater than 65535"),
])
def test_bad_networks_are_refused(dev_agent: AgentProcess, network: dict[str, Any],
                                  message: str) -> None:
    reply = httpx.put(f"{dev_agent.address}/v1/jobs", json=_job("badnet", network), timeout=10)
    assert reply.status_code == 400 and message in reply.text, reply.text
    assert httpx.get(f"{dev_agent.address}/v1/job/badnet", timeout=10).status_code == 404
