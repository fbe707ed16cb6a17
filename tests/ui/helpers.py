"""Jobs for the UI tests, submitted through the CLI as a user would, and terminal reading."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page

from tests.agents import CARAVAN, AgentProcess, wait_until

TICKER = '''
job "%(id)s" {
  datacenters = ["dc1"]
  group "main" {
    task "main" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.3; done"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
'''

SHELL = '''
job "%(id)s" {
  datacenters = ["dc1"]
  group "main" {
    task "main" {
      driver = "exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "exec sleep 3600"]
      }
      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
'''


def cli(agent: AgentProcess, *args: str, token: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(agent.env)
    if token:
        env["CARAVAN_TOKEN"] = token
    return subprocess.run([CARAVAN, *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def run_job(agent: AgentProcess, tmp: Path, template: str, job_id: str, token: str = "") -> str:
    """`caravan job run -detach` of the job; the ID of its running allocation."""
    path = tmp / f"{job_id}.nomad.hcl"
    path.write_text(template % {"id": job_id})
    done = cli(agent, "job", "run", "-detach", str(path), token=token)
    assert done.returncode == 0, done.stderr
    return running_alloc(agent, job_id, token)


def submit(agent: AgentProcess, hcl: str, token: str = "") -> None:
    """Register a job file's job over HTTP (parse, then register): quicker than the CLI where
    the test is not about the CLI."""
    headers = {"X-Nomad-Token": token} if token else {}
    with httpx.Client(base_url=agent.address, headers=headers, timeout=30) as http:
        parsed = http.post("/v1/jobs/parse", json={"JobHCL": hcl})
        assert parsed.status_code == 200, parsed.text
        job = parsed.json()
        reply = http.post("/v1/jobs", json={"Job": job},
                          params={"namespace": job.get("Namespace") or "default"})
        assert reply.status_code == 200, reply.text


def purge(agent: AgentProcess, job_id: str, namespace: str = "default") -> None:
    httpx.delete(f"{agent.address}/v1/job/{job_id}",
                 params={"purge": "true", "namespace": namespace}, timeout=30).raise_for_status()


def running_alloc(agent: AgentProcess, job_id: str, token: str = "") -> str:
    headers = {"X-Nomad-Token": token} if token else {}

    def running() -> str | None:
        allocs: list[dict[str, Any]] = httpx.get(
            f"{agent.address}/v1/job/{job_id}/allocations", headers=headers, timeout=10).json()
        return next((a["ID"] for a in allocs if a["ClientStatus"] == "running"), None)

    return str(wait_until(running, 90, what=f"a running allocation of {job_id}"))


def screen(page: Page) -> str:
    """What the terminal shows (xterm.js's DOM rows), spaces normalized."""
    return page.locator(".xterm-rows").inner_text().replace("\xa0", " ")


def wait_screen(page: Page, text: str) -> None:
    wait_until(lambda: text in screen(page), 30, what=f"{text!r} on the terminal")


def open_terminal(page: Page, alloc_id: str, task: str = "main") -> None:
    page.goto(f"/ui/allocations/{alloc_id}/exec/{task}?command=/bin/sh")
    page.wait_for_selector("#exec-status[data-state=connected]")
    page.locator("#terminal").click()
    # The socket opens before the shell runs: keys sent earlier could reach a shell that
    # is not reading yet (a Ctrl-C would end it). Its prompt says it is.
    wait_until(lambda: screen(page).rstrip().endswith(("$", "#")), 30, what="the shell prompt")
