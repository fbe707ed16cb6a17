"""`caravan job plan` and `/v1/job/<id>/plan` against a real agent: a dry run that writes
nothing, Nomad's annotated diff, exit codes, `-check-index`, and python-nomad's call."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import nomad
import pytest

from tests.agents import AgentProcess
from tests.e2e.cli import caravan, job_file

pytestmark = pytest.mark.integration


def test_plan_new_updated_and_unchanged(dev_agent: AgentProcess, tmp_path: Path) -> None:
    path = job_file(tmp_path, "planned", script="sleep 300")
    fresh = caravan(dev_agent, "job", "plan", str(path))
    assert fresh.returncode == 1, fresh.stdout + fresh.stderr
    assert fresh.stdout.startswith('+ Job: "planned"\n+ Task Group: "planned-group" (1 create)\n'
                                   '  + Task: "main" (forces create)\n')
    assert "- All tasks successfully allocated." in fresh.stdout
    assert "caravan job run -check-index 0 " in fresh.stdout
    # a plan writes nothing
    assert httpx.get(f"{dev_agent.address}/v1/job/planned", timeout=10).status_code == 404
    try:
        ran = caravan(dev_agent, "job", "run", "-check-index", "0", str(path))
        assert ran.returncode == 0, ran.stdout + ran.stderr
        same = caravan(dev_agent, "job", "plan", str(path))
        assert same.returncode == 0, same.stdout
        assert re.search(r'^Task Group: "planned-group" \(1 ignore\)$', same.stdout, re.M)

        path.write_text(path.read_text().replace("sleep 300", "sleep 301"))
        changed = caravan(dev_agent, "job", "plan", str(path))
        assert changed.returncode == 1
        assert '+/- Task Group: "planned-group" (1 create/destroy update)' in changed.stdout
        assert '+/- Task: "main" (forces create/destroy update)' in changed.stdout
        assert "sleep 300" in changed.stdout and "sleep 301" in changed.stdout
        index = re.search(r"^Job Modify Index: (\d+)$", changed.stdout, re.M)
        assert index is not None and int(index.group(1)) > 0
        stale = caravan(dev_agent, "job", "run", "-check-index", str(int(index.group(1)) - 1),
                        str(path))
        assert stale.returncode == 1 and "Enforcing job modify index" in stale.stderr
        checked = caravan(dev_agent, "job", "run", "-check-index", index.group(1), str(path))
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "-detach", "planned")


def test_plan_reports_placement_failures_and_errors(dev_agent: AgentProcess,
                                                     tmp_path: Path) -> None:
    huge = job_file(tmp_path, "huge", script="sleep 1")
    huge.write_text(huge.read_text().replace("memory = 32", "memory = 90000000"))
    failing = caravan(dev_agent, "job", "plan", str(huge))
    assert failing.returncode == 1
    assert "- WARNING: Failed to place all allocations." in failing.stdout
    assert 'Dimension "memory" exhausted on 1 nodes' in failing.stdout
    broken = tmp_path / "broken.hcl"
    broken.write_text('job "x" {\n  group "g" {\n')
    assert caravan(dev_agent, "job", "plan", str(broken)).returncode == 255


def test_python_nomad_plan_job(dev_agent: AgentProcess) -> None:
    host, port = dev_agent.address.rsplit("://", 1)[1].rsplit(":", 1)
    api = nomad.Nomad(host=host, port=int(port), timeout=10)
    body = {"Job": {"ID": "pyplan", "Name": "pyplan", "Type": "batch", "Datacenters": ["dc1"],
                    "TaskGroups": [{"Name": "g", "Count": 2, "Tasks": [
                        {"Name": "t", "Driver": "raw_exec",
                         "Config": {"command": "/bin/true"}}]}]}}
    plan = api.job.plan_job("pyplan", body, diff=True)
    assert plan["Annotations"]["DesiredTGUpdates"]["g"]["Place"] == 2
    assert plan["Diff"]["Type"] == "Added" and plan["JobModifyIndex"] == 0
    assert plan["FailedTGAllocs"] is None
