"""Class 4 of issue 9: the agent's own credentials never reach tasks or `alloc exec` sessions.

An agent is started with tokens in its environment (caravan's, Nomad's, Vault's, cloud
keys) beside one harmless variable; exec and raw_exec tasks print their environment,
and an `alloc exec` session into each prints its own.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.exec_driver.helpers import exec_job, logs, output, run
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

SECRETS = {
    "CARAVAN_TOKEN": "caravan-secret-token", "NOMAD_TOKEN": "nomad-secret-token",
    "VAULT_TOKEN": "vault-secret-token", "CONSUL_HTTP_TOKEN": "consul-secret-token",
    "CARAVAN_HTTP_AUTH": "operator:hunter2", "NOMAD_HTTP_AUTH": "operator:hunter2",
    "CARAVAN_CLIENT_KEY": "/etc/caravan.d/tls/client-key.pem",
    "NOMAD_CLIENT_INTRO_TOKEN": "intro-secret", "AWS_SECRET_ACCESS_KEY": "aws-secret",
}
HARMLESS = {"CARAVAN_SECURITY_PROBE": "visible"}


@dataclass
class Tasks:
    agent: AgentProcess
    exec_alloc: dict[str, Any]
    raw_alloc: dict[str, Any]


@pytest.fixture(scope="module")
def tasks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tasks]:
    # NOMAD_CLIENT_INTRO_TOKEN here is not a real token: with introduction enforced the
    # server would (rightly) refuse the node, so this agent does not enforce it.
    agent = AgentProcess(root=tmp_path_factory.mktemp("env"), name="env",
                         extra_env={**SECRETS, **HARMLESS},
                         config='server {\n  client_introduction {\n'
                                '    enforcement = "none"\n  }\n}\n')
    try:
        agent.start()
        script = "env; echo END-OF-ENV; exec sleep 3600"
        exec_alloc = run(agent, exec_job("env-exec", script, job_type="service"),
                         until="running")
        raw_alloc = run(agent, raw_exec_job("env-raw", args=["-c", script]), until="running")
        yield Tasks(agent, exec_alloc, raw_alloc)
    finally:
        agent.stop()


def _names(text: str) -> set[str]:
    return {line.split("=", 1)[0] for line in text.splitlines() if "=" in line}


def _task_env(agent: AgentProcess, alloc: dict[str, Any]) -> set[str]:
    text = wait_until(lambda: (out := logs(agent, alloc)) and "END-OF-ENV" in out and out,
                      what="the task printed its environment")
    return _names(str(text))


def _session_env(agent: AgentProcess, alloc: dict[str, Any]) -> set[str]:
    # The CLI itself holds no secret, so anything found came from the agent's side.
    cli_env = {k: v for k, v in agent.env.items() if k not in SECRETS}
    done = subprocess.run([CARAVAN, "alloc", "exec", "-i=false", alloc["ID"], "env"],
                          capture_output=True, env=cli_env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return _names(done.stdout.decode())


@pytest.mark.parametrize("which", ["exec", "raw_exec"])
def test_gh_7131_gh_24540_agent_credentials_absent_from_tasks(tasks: Tasks, which: str) -> None:
    alloc = tasks.exec_alloc if which == "exec" else tasks.raw_alloc
    names = _task_env(tasks.agent, alloc)
    assert "CARAVAN_SECURITY_PROBE" in names  # the rest of the host env still passes
    assert names.isdisjoint(SECRETS), sorted(names & SECRETS.keys())


@pytest.mark.parametrize("which", ["exec", "raw_exec"])
def test_gh_7131_gh_24540_agent_credentials_absent_from_exec_sessions(tasks: Tasks,
                                                                      which: str) -> None:
    alloc = tasks.exec_alloc if which == "exec" else tasks.raw_alloc
    names = _session_env(tasks.agent, alloc)
    assert "CARAVAN_SECURITY_PROBE" in names and "NOMAD_ALLOC_ID" in names
    assert names.isdisjoint(SECRETS), sorted(names & SECRETS.keys())


def test_gh_7131_host_pid_task_cannot_read_the_agents_environ(tasks: Tasks) -> None:
    # Nobody's DAC_OVERRIDE does not pass the ptrace check that guards /proc/<pid>/environ.
    assert tasks.agent.proc is not None
    out = output(tasks.agent, f"tr '\\0' '\\n' < /proc/{tasks.agent.proc.pid}/environ; "
                              "echo rc=$?", pid_mode="host")
    assert out.splitlines()[-1] != "rc=0" and not any(v in out for v in SECRETS.values())
