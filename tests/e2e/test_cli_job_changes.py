"""`job scale`, `job history`, `job revert`, `job eval`, `job allocs` against a real agent,
and python-nomad's revert/stable/evaluate calls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import nomad
import pytest

from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan, job_file

pytestmark = pytest.mark.integration


def _running(agent: AgentProcess, job_id: str) -> int:
    stubs = httpx.get(f"{agent.address}/v1/job/{job_id}/allocations", timeout=10).json()
    return sum(a["ClientStatus"] == "running" and a["DesiredStatus"] == "run" for a in stubs)


def _job(agent: AgentProcess, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = httpx.get(f"{agent.address}/v1/job/{job_id}", timeout=10).json()
    return job


def test_scale_history_revert_eval_allocs(dev_agent: AgentProcess, tmp_path: Path) -> None:
    path = job_file(tmp_path, "scaled", script="sleep 300")
    assert caravan(dev_agent, "job", "run", str(path)).returncode == 0
    try:
        scaled = caravan(dev_agent, "job", "scale", "scaled", "3")
        assert scaled.returncode == 0, scaled.stdout + scaled.stderr
        assert re.search(r'Evaluation "[0-9a-f]{8}" finished with status "complete"',
                         scaled.stdout), scaled.stdout
        wait_until(lambda: _running(dev_agent, "scaled") == 3, 60, what="three allocs")
        status = httpx.get(f"{dev_agent.address}/v1/job/scaled/scale", timeout=10).json()
        assert status["TaskGroups"]["scaled-group"]["Desired"] == 3

        history = caravan(dev_agent, "job", "history", "scaled")
        assert history.returncode == 0, history.stderr
        assert re.findall(r"^Version\s+= (\d+)$", history.stdout, re.M) == ["1", "0"]
        diffs = caravan(dev_agent, "job", "history", "-p", "scaled")
        assert diffs.returncode == 0, diffs.stderr
        assert '+/- Count: "1" => "3"' in diffs.stdout and diffs.stdout.count("Diff") == 1

        same = caravan(dev_agent, "job", "revert", "scaled", "1")
        assert same.returncode == 1 and "can't revert to current version" in same.stderr
        reverted = caravan(dev_agent, "job", "revert", "scaled", "0")
        assert reverted.returncode == 0, reverted.stdout + reverted.stderr
        job = _job(dev_agent, "scaled")
        assert (job["Version"], job["TaskGroups"][0]["Count"]) == (2, 1)
        wait_until(lambda: _running(dev_agent, "scaled") == 1, 60, what="back to one alloc")

        evaluated = caravan(dev_agent, "job", "eval", "-detach", "scaled")
        assert re.fullmatch(r'Created eval ID: "[0-9a-f]{8}" \n', evaluated.stdout), \
            evaluated.stdout
        allocs = caravan(dev_agent, "job", "allocs", "scaled")
        assert allocs.stdout.splitlines()[0].split()[:3] == ["ID", "Node", "ID"]
        assert sum(" run " in line and "running" in line
                   for line in allocs.stdout.splitlines()) == 1

        bad = caravan(dev_agent, "job", "scale", "scaled", "nosuch", "2")
        assert bad.returncode == 1
        assert 'task group "nosuch" specified for scaling does not exist' in bad.stderr
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "-detach", "scaled")


def test_python_nomad_revert_stable_and_evaluate(dev_agent: AgentProcess,
                                                 tmp_path: Path) -> None:
    host, port = dev_agent.address.rsplit("://", 1)[1].rsplit(":", 1)
    api = nomad.Nomad(host=host, port=int(port), timeout=10)
    path = job_file(tmp_path, "pyjob", script="sleep 300")
    assert caravan(dev_agent, "job", "run", "-detach", str(path)).returncode == 0
    try:
        path.write_text(path.read_text().replace("sleep 300", "sleep 301"))
        assert caravan(dev_agent, "job", "run", "-detach", str(path)).returncode == 0
        assert [v["Version"] for v in api.job.get_versions("pyjob")["Versions"]] == [1, 0]
        stable = api.job.stable_job("pyjob", 0, True)
        assert stable["Index"] > 0
        versions = {v["Version"]: v for v in api.job.get_versions("pyjob")["Versions"]}
        assert versions[0]["Stable"] is True and versions[1]["Stable"] is False
        reply = api.job.revert_job("pyjob", 0, enforce_prior_version=1)
        assert reply["EvalID"]
        assert _job(dev_agent, "pyjob")["Version"] == 2
        assert "sleep 300" in str(_job(dev_agent, "pyjob")["TaskGroups"][0]["Tasks"][0])
        assert api.job.evaluate_job("pyjob")["EvalID"]
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "-detach", "pyjob")
