"""Class 3 of issue 9: names that become paths.

A task's name is its directory (`<data_dir>/alloc/<alloc>/<task>`) and the stem of its log
files. A task named `..` was given the whole `<data_dir>/alloc` as its task dir (every
other job's files, secrets included), and the agent chmods it 0777. Every name that
becomes a path is refused at submit, through HCL, JSON files and the HTTP API alike, with
a 400 naming the field; the client checks again before it touches a path
(Nomad GH-27001: a task named `alloc`; CVE-2026-7474: `../` in a name used as a path).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from caravan.client.allocrunner.runner import AllocRunner
from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan
from tests.integration.client.conftest import reaper, run  # noqa: F401 - fixture
from tests.integration.client.test_alloc_runner import make_alloc, make_deps, shell
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

BAD_NAMES = {"dotdot": "..", "dot": ".", "slash": "a/b", "nul": "a\x00b", "newline": "a\nb",
             "long": "x" * 200}


def _job(**names: str) -> dict[str, Any]:
    body = raw_exec_job(names.get("job", "names"))
    group = body["Job"]["TaskGroups"][0]
    group["Name"] = names.get("group", "main")
    group["Tasks"][0]["Name"] = names.get("task", "main")
    if "volume" in names:
        group["Volumes"] = {names["volume"]: {"Name": names["volume"], "Type": "host",
                                              "Source": "shared"}}
    return body


def _register(agent: AgentProcess, body: dict[str, Any]) -> httpx.Response:
    return httpx.put(f"{agent.address}/v1/jobs", json=body, timeout=30)


@pytest.mark.parametrize("name", [*BAD_NAMES.values(), "alloc"], ids=[*BAD_NAMES, "alloc"])
def test_gh_27001_task_names_that_become_paths_give_400_through_the_api(
        dev_agent: AgentProcess, name: str) -> None:
    reply = _register(dev_agent, _job(job=f"task-{len(name)}", task=name))
    assert reply.status_code == 400, reply.text
    assert "TaskGroups[0].Tasks[0].Name: Task" in reply.text


@pytest.mark.parametrize(("field", "where"), [("job", "ID: Job ID"),
                                              ("group", "TaskGroups[0].Name: Task group name"),
                                              ("volume", "Volume name")])
@pytest.mark.parametrize("name", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_cve_2026_7474_job_group_and_volume_names_that_become_paths_give_400(
        dev_agent: AgentProcess, field: str, name: str, where: str) -> None:
    if field == "job" and name == "a/b":  # a job ID may nest (Nomad's child jobs), not walk
        name = "a/../b"
    names = {"job": f"{field}-{len(name)}", field: name}
    reply = _register(dev_agent, _job(**names))
    assert reply.status_code == 400, reply.text
    assert where in reply.text
    assert dev_agent_jobs(dev_agent) == [], "a refused job must not be stored"


def dev_agent_jobs(agent: AgentProcess) -> list[str]:
    return [j["ID"] for j in httpx.get(f"{agent.address}/v1/jobs", timeout=10).json()
            if j["ID"] not in ("names",)]


def _hcl(task: str) -> str:
    return f'''job "hcl-names" {{
  datacenters = ["*"]
  group "g" {{
    task "{task}" {{
      driver = "raw_exec"
      config {{ command = "/bin/true" }}
    }}
  }}
}}
'''


def test_job_ids_may_nest_like_nomads_child_jobs(dev_agent: AgentProcess) -> None:
    reply = _register(dev_agent, _job(job="nightly/periodic-1700000000"))
    assert reply.status_code == 200, reply.text
    assert "nightly/periodic-1700000000" in dev_agent_jobs(dev_agent)
    httpx.delete(f"{dev_agent.address}/v1/job/nightly%2Fperiodic-1700000000",
                 params={"purge": "true"}, timeout=10).raise_for_status()


@pytest.mark.parametrize("name", ["..", ".", "a/b", "a\x00b", "alloc"],
                         ids=["dotdot", "dot", "slash", "nul", "alloc"])
def test_gh_27001_bad_task_names_in_hcl_and_json_files_are_refused(
        dev_agent: AgentProcess, tmp_path: Path, name: str) -> None:
    hcl = tmp_path / "job.nomad.hcl"
    hcl.write_text(_hcl(name))
    as_json = tmp_path / "job.json"
    as_json.write_text(json.dumps(_job(job="json-names", task=name)))
    for path in (hcl, as_json):
        result = caravan(dev_agent, "job", "run", "-detach", str(path))
        assert result.returncode != 0, (path.name, result.stdout)
        assert "Tasks[0].Name: Task" in result.stderr + result.stdout, result.stderr
    assert dev_agent_jobs(dev_agent) == []


def test_gh_27001_a_dotdot_task_does_not_get_the_whole_alloc_root(
        dev_agent: AgentProcess) -> None:
    alloc_root = dev_agent.data_dir / "alloc"
    body = raw_exec_job("dotdot", args=["-c", 'touch "$NOMAD_TASK_DIR/escaped"; sleep 300'])
    body["Job"]["TaskGroups"][0]["Tasks"][0]["Name"] = ".."
    reply = _register(dev_agent, body)
    if reply.is_success:
        # What the code before the fix did: the task dir was <data_dir>/alloc itself.
        wait_until(lambda: (alloc_root / "local" / "escaped").exists(), 60,
                   what="the .. task to write into <data_dir>/alloc/local")
    assert reply.status_code == 400, "a task named .. was accepted"
    assert not (alloc_root / "local").exists()


def test_client_refuses_a_dotdot_task_it_is_sent_without_touching_the_alloc_root(
        reaper: Path) -> None:  # noqa: F811 - fixture
    """A job stored before the submit check (or sent by a rogue server) reaches the client:
    the allocation fails with a clear event and nothing outside it is created or chmodded."""
    alloc = make_alloc([shell("..", 'touch "$NOMAD_TASK_DIR/escaped"')], "batch")
    deps = make_deps(reaper)
    deps.alloc_root.mkdir(parents=True)
    os.chmod(deps.alloc_root, 0o711)
    runner = AllocRunner(alloc, deps, lambda _id: None)
    run(runner.run())
    update = runner.client_update()
    assert update.client_status == "failed"
    events = {e.type: e for e in runner.tasks[".."].task_state.events}
    assert "Failed Validation" in events, list(events)
    assert "task name '..' cannot be used as a directory" in \
        events["Failed Validation"].display_message
    assert not (deps.alloc_root / "local").exists()
    assert stat.S_IMODE(deps.alloc_root.stat().st_mode) == 0o711
    assert not (deps.executor_root.parent / "local").exists()
