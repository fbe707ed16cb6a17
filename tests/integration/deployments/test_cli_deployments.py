"""`caravan deployment list|status|pause|resume|fail` and `job promote` against a real agent:
Nomad's words, exit codes, and what the API shows afterwards."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.deployments.helpers import latest_deployment, rolling_job

pytestmark = pytest.mark.integration


def cli(agent: AgentProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CARAVAN, *args], env=agent.env, capture_output=True, text=True,
                          timeout=120)


def test_pause_resume_fail_and_promote_without_canaries(dev_agent: AgentProcess) -> None:
    with httpx.Client(base_url=dev_agent.address, timeout=30) as http:
        _pause_resume_fail(dev_agent, http)


def _pause_resume_fail(dev_agent: AgentProcess, http: httpx.Client) -> None:
    # Healthy only after a minute: the deployment stays running while the test looks.
    job = rolling_job("slow", count=1, MinHealthyTime=60 * 10**9, HealthyDeadline=120 * 10**9,
                      ProgressDeadline=300 * 10**9)
    http.post("/v1/jobs", json=job).raise_for_status()
    d = wait_until(lambda: latest_deployment(http, "slow"), what="a deployment")
    short = d["ID"][:8]
    listed = cli(dev_agent, "deployment", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[0].split() == ["ID", "Job", "ID", "Job", "Version",
                                                     "Status", "Description"]
    assert any(line.startswith(short) and "slow" in line for line in listed.stdout.splitlines())

    paused = cli(dev_agent, "deployment", "pause", short)
    assert (paused.returncode, paused.stdout) == (0, f'Deployment "{d["ID"]}" paused\n')
    status = cli(dev_agent, "deployment", "status", short)
    assert "Status      = paused" in status.stdout
    assert "Description = Deployment is paused" in status.stdout
    job_status = cli(dev_agent, "job", "status", "slow")
    assert job_status.returncode == 0, job_status.stderr
    assert f"Latest Deployment\nID          = {short}\nStatus      = paused\n" \
        in job_status.stdout

    resumed = cli(dev_agent, "deployment", "resume", "-detach", short)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith(f'Deployment "{d["ID"]}" resumed\nEvaluation ID: ')

    promote = cli(dev_agent, "job", "promote", "slow")
    assert promote.returncode == 1
    assert promote.stderr.strip() == (f'Error promoting deployment "{d["ID"]}" for job "slow": '
                                      "Unexpected response code: 400 "
                                      f'(Deployment "{d["ID"]}" has no canaries to promote)')

    failed = cli(dev_agent, "deployment", "fail", "-detach", short)
    assert failed.returncode == 0, failed.stderr
    assert failed.stdout.startswith(f'Deployment "{d["ID"]}" failed\n')
    assert http.get(f"/v1/deployment/{d['ID']}").json()["Status"] == "failed"
    missing = cli(dev_agent, "deployment", "status", "ffff")
    assert missing.returncode == 1 and "no deployment found" in missing.stderr
