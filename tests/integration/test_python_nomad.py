"""python-nomad, unchanged, against a real dev agent: every route of the walking skeleton."""

from __future__ import annotations

from urllib.parse import urlparse

import nomad
import pytest
from nomad.api import exceptions

from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(dev_agent: AgentProcess) -> nomad.Nomad:
    url = urlparse(dev_agent.address)
    return nomad.Nomad(host=url.hostname, port=url.port, timeout=10)


def _running_alloc(api: nomad.Nomad, job_id: str) -> dict:  # type: ignore[type-arg]
    def running() -> dict | None:  # type: ignore[type-arg]
        allocs = api.job.get_allocations(job_id)
        return next((a for a in allocs if a["ClientStatus"] == "running"), None)

    return wait_until(running, 30, what=f"a running alloc of {job_id}")  # type: ignore[no-any-return]


def test_register_read_list_and_summaries(api: nomad.Nomad) -> None:
    reply = api.jobs.register_job(raw_exec_job("pn-web", count=2))
    assert reply["EvalID"] and reply["JobModifyIndex"] > 0
    assert "pn-web" in [j["ID"] for j in api.jobs.get_jobs()]
    assert [j["ID"] for j in api.jobs.get_jobs(prefix="pn-w")] == ["pn-web"]
    job = api.job.get_job("pn-web")
    assert job["TaskGroups"][0]["Count"] == 2 and job["Priority"] == 50
    assert job["TaskGroups"][0]["Tasks"][0]["KillTimeout"] == 1_000_000_000
    ev = api.evaluation.get_evaluation(reply["EvalID"])
    assert ev["TriggeredBy"] == "job-register" and ev["JobID"] == "pn-web"
    wait_until(lambda: api.evaluation.get_evaluation(reply["EvalID"])["Status"] == "complete",
               20, what="eval complete")
    alloc = _running_alloc(api, "pn-web")
    assert alloc["Name"].startswith("pn-web.main[")
    summary = api.job.get_summary("pn-web")
    assert summary["JobID"] == "pn-web" and "main" in summary["Summary"]
    wait_until(lambda: api.job.get_summary("pn-web")["Summary"]["main"]["Running"] == 2, 30,
               what="two running")
    assert api.job.get_job("pn-web")["Status"] == "running"
    versions = api.job.get_versions("pn-web")["Versions"]
    assert [v["Version"] for v in versions] == [0]
    evals = api.job.get_evaluations("pn-web")
    assert reply["EvalID"] in [e["ID"] for e in evals]
    assert {e["ID"] for e in api.evaluations.get_evaluations(prefix=reply["EvalID"][:6])} \
        >= {reply["EvalID"]}
    eval_allocs = api.evaluation.get_allocations(reply["EvalID"])
    assert len(eval_allocs) == 2


def test_allocations_nodes_and_logs(api: nomad.Nomad) -> None:
    api.jobs.register_job(raw_exec_job("pn-logs"))
    alloc = _running_alloc(api, "pn-logs")
    full = api.allocation.get_allocation(alloc["ID"])
    assert full["Job"]["ID"] == "pn-logs" and full["NodeID"]
    assert alloc["ID"] in [a["ID"] for a in api.allocations.get_allocations(prefix=alloc["ID"][:4])]
    nodes = api.nodes.get_nodes()
    assert len(nodes) == 1 and nodes[0]["Status"] == "ready"
    node = api.node.get_node(nodes[0]["ID"])
    assert node["Drivers"]["raw_exec"]["Healthy"] is True
    assert node["Attributes"]["driver.raw_exec"] == "1"
    assert "SecretID" not in node
    assert alloc["ID"] in [a["ID"] for a in api.node.get_allocations(nodes[0]["ID"])]
    text = wait_until(lambda: api.client.stream_logs.stream(alloc["ID"], "main", "stdout",
                                                             plain=True), 20, what="logs")
    assert text.startswith("started")
    framed = api.client.stream_logs.stream(alloc["ID"], "main", "stdout")
    assert '"Data"' in framed and '"File": "alloc/logs/main.stdout.0"' in framed


def test_agent_status_regions(api: nomad.Nomad) -> None:
    agent = api.agent.get_agent()
    assert agent["stats"]["client"]["node_id"]
    assert api.agent.get_members()["Members"][0]["Status"] == "alive"
    assert ":" in api.status.leader.get_leader()
    assert api.regions.get_regions() == ["global"]


def test_parse_hcl(api: nomad.Nomad) -> None:
    hcl = '''job "parsed" {
      group "g" {
        task "t" {
          driver = "raw_exec"
          config { command = "/bin/true" }
        }
      }
    }'''
    job = api.jobs.parse(hcl)
    assert job["ID"] == "parsed" and job["TaskGroups"][0]["Tasks"][0]["Driver"] == "raw_exec"
    canonical = api.jobs.parse(hcl, canonicalize=True)
    assert canonical["TaskGroups"][0]["Tasks"][0]["Resources"]["CPU"] == 100
    with pytest.raises(exceptions.BadRequestNomadException) as info:
        api.jobs.parse('job "x" { group "g" { task "t" { drivr = "raw_exec" } } }')
    assert "drivr" in info.value.nomad_resp.text


def test_stop_alloc_reschedules_and_purge(api: nomad.Nomad) -> None:
    api.jobs.register_job(raw_exec_job("pn-stop"))
    first = _running_alloc(api, "pn-stop")
    assert api.allocation.stop_allocation(first["ID"])["EvalID"]
    replacement = wait_until(
        lambda: next((a for a in api.job.get_allocations("pn-stop")
                      if a["ID"] != first["ID"] and a["ClientStatus"] == "running"), None),
        30, what="a replacement alloc")
    assert replacement["Name"] == first["Name"]
    stopped = api.allocation.get_allocation(first["ID"])
    assert stopped["DesiredStatus"] == "stop"
    reply = api.job.deregister_job("pn-stop", purge=True)
    assert reply["EvalID"]
    with pytest.raises(exceptions.URLNotFoundNomadException):
        api.job.get_job("pn-stop")


def test_bad_input_is_4xx_and_changes_nothing(api: nomad.Nomad) -> None:
    api.jobs.register_job(raw_exec_job("pn-keep"))
    before = api.job.get_job("pn-keep")
    bad = raw_exec_job("pn-keep", count=-1)
    with pytest.raises(exceptions.BadRequestNomadException) as info:
        api.job.register_job("pn-keep", bad)
    assert "Task group count can't be negative" in info.value.nomad_resp.text
    unknown = raw_exec_job("pn-keep")
    unknown["Job"]["TaskGroups"][0]["Tasks"][0]["Driver"] = "dockr"
    with pytest.raises(exceptions.BadRequestNomadException) as info:
        api.job.register_job("pn-keep", unknown)
    assert 'unknown task driver "dockr"' in info.value.nomad_resp.text
    with pytest.raises(exceptions.BadRequestNomadException) as info:
        api.job.register_job("other-name", raw_exec_job("pn-keep"))
    assert "Job ID does not match name" in info.value.nomad_resp.text
    after = api.job.get_job("pn-keep")
    assert after["Version"] == before["Version"]
    assert after["JobModifyIndex"] == before["JobModifyIndex"]
    with pytest.raises(exceptions.URLNotFoundNomadException):
        api.allocation.get_allocation("00000000-0000-0000-0000-000000000000")
