"""Nomad's built-in service provider in a real agent: running allocations register their
group and task services at their host ports, the CLI and API list them, and they go
when the allocations stop."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until

pytestmark = pytest.mark.integration


def _job(job_id: str, *, count: int = 2, group_service: dict[str, Any] | None = None,
         task_service: dict[str, Any] | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Name": "t", "Driver": "raw_exec", "KillTimeout": 1_000_000_000,
        "Config": {"command": "/bin/sleep", "args": ["300"]},
        "Resources": {"CPU": 50, "MemoryMB": 32}}
    if task_service is not None:
        task["Services"] = [task_service]
    group: dict[str, Any] = {"Name": "g", "Count": count, "Tasks": [task],
                             "Networks": [{"DynamicPorts": [{"Label": "http"}]}]}
    if group_service is not None:
        group["Services"] = [group_service]
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"],
                    "TaskGroups": [group]}}


def _get(agent: AgentProcess, path: str) -> Any:
    reply = httpx.get(f"{agent.address}{path}", timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _cli(agent: AgentProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CARAVAN, *args], env=agent.env, capture_output=True, text=True,
                          timeout=60)


def test_running_allocations_register_and_stopping_removes(dev_agent: AgentProcess) -> None:
    body = _job("svc", group_service={"Name": "web", "PortLabel": "http",
                                      "Tags": ["v1", "i${NOMAD_ALLOC_INDEX}"]},
                task_service={"PortLabel": "http"})
    reply = httpx.put(f"{dev_agent.address}/v1/jobs", json=body, timeout=10)
    assert reply.status_code == 200, reply.text
    try:
        regs = wait_until(lambda: len(r := _get(dev_agent, "/v1/service/web")) == 2 and r, 60,
                          what="two registrations of web")
        allocs = {a["ID"]: a for a in (_get(dev_agent, f"/v1/allocation/{s['ID']}")
                                       for s in _get(dev_agent, "/v1/job/svc/allocations"))}
        for reg in regs:
            alloc = allocs[reg["AllocID"]]
            (port,) = alloc["AllocatedResources"]["Shared"]["Ports"]
            assert (reg["Address"], reg["Port"]) == (port["HostIP"], port["Value"])
            assert reg["JobID"] == "svc" and reg["NodeID"] == alloc["NodeID"]
            index = alloc["Name"].rsplit("[", 1)[1].rstrip("]")
            assert reg["Tags"] == ["v1", f"i{index}"]
        # the task service has Nomad's default name, <job>-<group>-<task>
        task_regs = wait_until(lambda: len(r := _get(dev_agent, "/v1/service/svc-g-t")) == 2
                               and r, 60, what="the task services")
        assert {r["AllocID"] for r in task_regs} == set(allocs)
        one = next(iter(allocs))
        assert {r["ServiceName"] for r in _get(dev_agent, f"/v1/allocation/{one}/services")} \
            == {"web", "svc-g-t"}
        assert len(_get(dev_agent, "/v1/job/svc/services")) == 4

        listing = _cli(dev_agent, "service", "list")
        assert listing.returncode == 0, listing.stderr
        assert listing.stdout.splitlines()[0].split() == ["Service", "Name", "Tags"]
        assert any(line.split()[0] == "web" and line.split()[1] == "[i0,i1,v1]"
                   for line in listing.stdout.splitlines()), listing.stdout
        info = _cli(dev_agent, "service", "info", "web")
        assert info.returncode == 0 and info.stdout.count("\nsvc ") == 2, info.stdout
        assert f"{regs[0]['Address']}:{regs[0]['Port']}" in info.stdout

        httpx.delete(f"{dev_agent.address}/v1/job/svc", timeout=10)
        wait_until(lambda: _get(dev_agent, "/v1/job/svc/services") == [], 60,
                   what="registrations gone with the stopped allocations")
        assert _cli(dev_agent, "service", "list").stdout.strip() == \
            "No service registrations found"
    finally:
        httpx.delete(f"{dev_agent.address}/v1/job/svc?purge=true", timeout=10)


def test_a_registration_can_be_deleted(dev_agent: AgentProcess) -> None:
    body = _job("del", count=1, group_service={"Name": "gone", "PortLabel": "http"})
    assert httpx.put(f"{dev_agent.address}/v1/jobs", json=body, timeout=10).status_code == 200
    try:
        (reg,) = wait_until(lambda: _get(dev_agent, "/v1/service/gone"), 60,
                            what="a registration")
        missing = _cli(dev_agent, "service", "delete", "gone", "no-such-id")
        assert missing.returncode == 1 and "Error deleting service registration" in \
            missing.stderr
        done = _cli(dev_agent, "service", "delete", "gone", reg["ID"])
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "Successfully deleted service registration"
    finally:
        httpx.delete(f"{dev_agent.address}/v1/job/del?purge=true", timeout=10)


@pytest.mark.parametrize(("service", "message"), [
    ({"Name": "x", "Provider": "consul"}, 'service provider "consul" is not supported'),
    ({"Name": "x", "PortLabel": "nope"}, "uses port 'nope', which no network of the group"),
    ({"Name": "bad_name!"}, "Service name must be valid per RFC 1123"),
])
def test_bad_services_are_refused(dev_agent: AgentProcess, service: dict[str, Any],
                                  message: str) -> None:
    reply = httpx.put(f"{dev_agent.address}/v1/jobs", json=_job("badsvc", group_service=service),
                      timeout=10)
    assert reply.status_code == 400 and message in reply.text, reply.text
