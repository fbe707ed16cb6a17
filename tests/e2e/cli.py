"""Helpers for driving the real `caravan` CLI as a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from caravan.api import Client
from tests.agents import CARAVAN, AgentProcess, wait_until

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "hello.nomad.hcl"


def caravan(agent: AgentProcess | None, *args: str, env: dict[str, str] | None = None,
            timeout: float = 120.0, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `caravan <args>` against `agent` and wait for it to finish."""
    run_env = dict(env if env is not None else (agent.env if agent else {}))
    return subprocess.run([CARAVAN, *args], env=run_env, capture_output=True, text=True,
                          timeout=timeout, input=stdin, stdin=None if stdin else
                          subprocess.DEVNULL, check=False)


def job_file(directory: Path, name: str, *, script: str = "echo out-$NOMAD_ALLOC_ID; "
             "echo err-line >&2; sleep 300", driver: str = "raw_exec",
             job_type: str = "service", extra: str = "", tasks: tuple[str, ...] = ("main",),
             ) -> Path:
    """A small job file; each task runs `/bin/sh -c <script>`."""
    task_blocks = "".join(f'''
    task "{task}" {{
      driver = "{driver}"
      config {{
        command = "/bin/sh"
        args    = ["-c", {json.dumps(script)}]
      }}
      resources {{
        cpu    = 50
        memory = 32
      }}
    }}''' for task in tasks)
    path = directory / f"{name}.nomad.hcl"
    path.write_text(f'''
job "{name}" {{
  type        = "{job_type}"
  datacenters = ["*"]
{extra}
  group "{name}-group" {{
{task_blocks}
  }}
}}
''')
    return path


def created_allocs(output: str) -> list[tuple[str, str, str]]:
    """(alloc id8, node id8, group) for each `Allocation ... created` monitor line."""
    return re.findall(r'Allocation "([0-9a-f]{8})" created: node "([0-9a-f]{8})", '
                      r'group "([^"]+)"', output)


def monitored_eval(output: str) -> str:
    match = re.search(r'Monitoring evaluation "([0-9a-f]{8})"', output)
    assert match, output
    return match.group(1)


def wait_running(agent: AgentProcess, alloc_prefix: str, timeout_s: float = 60.0) -> str:
    """Wait until the allocation runs on its node; returns its full ID."""
    with Client(agent.address, env={}) as client:
        def running() -> str | None:
            stubs, _ = client.allocations.list(prefix=alloc_prefix)
            states = [a.client_status for a in stubs]
            assert "failed" not in states, stubs
            return stubs[0].id if stubs and states[0] == "running" else None
        result: str = wait_until(running, timeout_s, what=f"alloc {alloc_prefix} running")
        return result
