"""HCL2 variables through the real CLI against a real -dev agent: -var beats
-var-file beats NOMAD_VAR_ beats the default, a variable reaches a running task,
a failed validation names the file and line, and /v1/jobs/parse takes Variables."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan, created_allocs

pytestmark = pytest.mark.integration

JOB = '''variable "greeting" {
  type    = string
  default = "from-default"
}

variable "repeat" {
  type    = number
  default = 1
  validation {
    condition     = var.repeat >= 1 && var.repeat <= 3
    error_message = "repeat must be between 1 and 3."
  }
}

locals {
  words = join(" ", [for i in range(var.repeat) : var.greeting])
}

job "vars-NAME" {
  type        = "batch"
  datacenters = ["*"]

  group "g" {
    task "say" {
      driver = "raw_exec"
      config {
        command = "/bin/echo"
        args    = ["said:${local.words}", "${upper(var.greeting)}"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
'''


def write_job(directory: Path, name: str) -> Path:
    path = directory / f"{name}.nomad.hcl"
    path.write_text(JOB.replace("NAME", name))
    return path


def submitted_args(agent: AgentProcess, path: Path, *flags: str,
                   env: dict[str, str] | None = None) -> list[str]:
    """What `job run -output` would submit: the task's args after evaluation."""
    result = caravan(agent, "job", "run", "-output", *flags, str(path),
                     env={**agent.env, **(env or {})})
    assert result.returncode == 0, result.stdout + result.stderr
    job = json.loads(result.stdout)["Job"]
    args: list[str] = job["TaskGroups"][0]["Tasks"][0]["Config"]["args"]
    return args


def test_precedence_var_over_var_file_over_env_over_default(
        dev_agent: AgentProcess, tmp_path: Path) -> None:
    path = write_job(tmp_path, "prec")
    var_file = tmp_path / "prod.hcl"
    var_file.write_text('greeting = "from-file"\n')
    env = {"NOMAD_VAR_greeting": "from-env"}
    assert submitted_args(dev_agent, path)[0] == "said:from-default"
    assert submitted_args(dev_agent, path, env=env)[0] == "said:from-env"
    assert submitted_args(dev_agent, path, "-var-file", str(var_file),
                          env=env)[0] == "said:from-file"
    assert submitted_args(dev_agent, path, "-var-file", str(var_file), "-var",
                          "greeting=from-flag", env=env)[0] == "said:from-flag"
    assert submitted_args(dev_agent, path, "-var", "repeat=3", "-var",
                          "greeting=hi") == ["said:hi hi hi", "HI"]


def test_a_variable_reaches_the_running_task(dev_agent: AgentProcess, tmp_path: Path) -> None:
    path = write_job(tmp_path, "reach")
    result = caravan(dev_agent, "job", "run", "-var", "greeting=hello-from-var", "-var",
                     "repeat=2", str(path))
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        [(alloc, _, _)] = created_allocs(result.stdout)
        logs = wait_until(lambda: caravan(dev_agent, "alloc", "logs", alloc).stdout or None,
                          60, what="the task's output")
        assert logs == "said:hello-from-var hello-from-var HELLO-FROM-VAR\n"
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "vars-reach")


def test_failed_validation_names_file_line_and_variable(dev_agent: AgentProcess,
                                                        tmp_path: Path) -> None:
    path = write_job(tmp_path, "invalid")
    for command, code in ((("job", "validate"), 1), (("job", "run"), 1),
                          (("job", "plan"), 255)):
        result = caravan(dev_agent, *command, "-var", "repeat=7", str(path))
        assert result.returncode == code
        assert (f'{path}:9: Invalid value for variable "repeat" (set by -var): repeat must '
                "be between 1 and 3.; this was checked by the validation rule at line 9"
                in result.stderr), result.stderr
    result = caravan(dev_agent, "job", "validate", "-var", "nope=1", str(path))
    assert result.returncode == 1
    assert 'Undefined -var variable: a "nope" variable' in result.stderr
    result = caravan(dev_agent, "job", "validate", "-hcl2-strict=false", "-var", "nope=1",
                     str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Job validation successful\n"


def test_jobs_parse_takes_variables_and_never_reads_server_files(
        dev_agent: AgentProcess, tmp_path: Path) -> None:
    source = JOB.replace("NAME", "parsed")
    body = {"JobHCL": source, "Variables": 'greeting = "from-request"\nrepeat = 2\n'}
    response = httpx.post(f"{dev_agent.address}/v1/jobs/parse", json=body)
    assert response.status_code == 200, response.text
    args = response.json()["TaskGroups"][0]["Tasks"][0]["Config"]["args"]
    assert args == ["said:from-request from-request", "FROM-REQUEST"]

    secret = tmp_path / "server-secret"
    secret.write_text("s3cret-on-the-server")
    leaky = source.replace('"${upper(var.greeting)}"', f'file("{secret}")')
    response = httpx.post(f"{dev_agent.address}/v1/jobs/parse", json={"JobHCL": leaky})
    assert response.status_code == 400
    assert "filesystem functions are disabled" in response.text
    assert "s3cret" not in response.text
