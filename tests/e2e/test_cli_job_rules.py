"""The job file entry paths of issue 11 parts 1 and 2, through the real CLI: a refused field
in an HCL or a JSON file is a non-zero exit naming it (nothing is submitted), `-output`
gives JSON that runs, and a `task` directly under `job` runs as a group of its name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caravan.api import Client
from caravan.jobspec import fields
from tests import nomad_api_fields as api_fields
from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan, created_allocs

pytestmark = pytest.mark.integration

LONE = '''job "lone" {
  type        = "batch"
  datacenters = ["*"]
  task "solo" {
    driver = "raw_exec"
    config {
      command = "/bin/sh"
      args    = ["-c", "echo solo-ran"]
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
}
'''


def _hcl_with(task_line: str) -> str:
    return LONE.replace('    driver = "raw_exec"\n', f'    driver = "raw_exec"\n{task_line}\n')


def test_refused_fields_in_files_exit_non_zero_naming_them(dev_agent: AgentProcess,
                                                           tmp_path: Path) -> None:
    for field in fields.TASK.refused:
        if field.hcl is not None:
            path = tmp_path / "refused.nomad.hcl"
            line = f"    {field.hcl} {{\n    }}" if field.block else f'    {field.hcl} = "x"'
            path.write_text(_hcl_with(line))
            result = caravan(dev_agent, "job", "run", str(path))
            assert result.returncode == 1, result.stdout
            assert f'"{field.hcl}" is not supported by caravan' in result.stderr
        document = api_fields.zero_job("refused")
        document["Job"]["TaskGroups"][0]["Tasks"][0][field.json or ""] = [{"Set": "x"}]
        path = tmp_path / "refused.json"
        path.write_text(json.dumps(document))
        result = caravan(dev_agent, "job", "run", str(path))
        assert result.returncode == 1, result.stdout
        assert f"Job.TaskGroups[0].Tasks[0].{field.json}: not supported by caravan" \
            in result.stderr
    with Client(dev_agent.address, env={}) as client:
        assert "refused" not in [j.id for j in client.jobs.list()[0]]


def test_a_job_level_task_runs_as_its_own_group(dev_agent: AgentProcess,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "lone.nomad.hcl"
    path.write_text(LONE)
    result = caravan(dev_agent, "job", "run", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [group for _, _, group in created_allocs(result.stdout)] == ["solo"]
    with Client(dev_agent.address, env={}) as client:
        wait_until(lambda: client.jobs.summary("lone")[0].summary["solo"].complete == 1, 60,
                   what="the lone task completed")
    logs = caravan(dev_agent, "alloc", "logs", "-job", "lone", "solo")
    assert logs.stdout == "solo-ran\n", logs.stderr


def test_output_json_runs_as_a_json_file(dev_agent: AgentProcess, tmp_path: Path) -> None:
    hcl = tmp_path / "lone.nomad.hcl"
    hcl.write_text(LONE.replace('"lone"', '"lone-json"'))
    output = caravan(dev_agent, "job", "run", "-output", str(hcl))
    assert output.returncode == 0, output.stderr
    as_json = tmp_path / "lone.json"
    as_json.write_text(output.stdout)
    result = caravan(dev_agent, "job", "run", "-detach", str(as_json))
    assert result.returncode == 0, result.stdout + result.stderr
    with Client(dev_agent.address, env={}) as client:
        job, _ = client.jobs.info("lone-json")
        assert [g.name for g in job.task_groups] == ["solo"]
