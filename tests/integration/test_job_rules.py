"""One set of rules for every way a job arrives over HTTP (issue 11 part 1): a field caravan
does not implement is a 400 naming its path at /v1/jobs, /v1/job/<id>, /v1/validate/job
/v1/job/<id>/plan and /v1/jobs/parse, never silently dropped; nothing stored changes; Nomad's own clients'
full structs of nulls keep working; /v1/job/<id>/ sub-routes never reach the job."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import httpx
import nomad
import pytest
from nomad.api import exceptions

from caravan.jobspec import fields
from tests import nomad_api_fields as api_fields
from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def http(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def pn(dev_agent: AgentProcess) -> nomad.Nomad:
    url = urlparse(dev_agent.address)
    return nomad.Nomad(host=url.hostname, port=url.port, timeout=10)


def _refused_cases() -> list[tuple[str, str]]:
    """(where, key) for every refused JSON key of the job, its groups and its tasks."""
    return [(where, key) for where, table in (("job", fields.JOB), ("group", fields.GROUP),
                                              ("task", fields.TASK))
            for key in table.refused_json.values()]


def _with(job_id: str, where: str, key: str, value: Any) -> dict[str, Any]:
    document = api_fields.zero_job(job_id)
    job = document["Job"]
    target = {"job": job, "group": job["TaskGroups"][0],
              "task": job["TaskGroups"][0]["Tasks"][0]}[where]
    target[key] = value
    return document


_PATHS = {"job": "Job", "group": "Job.TaskGroups[0]", "task": "Job.TaskGroups[0].Tasks[0]"}
ENTRY_PATHS = ("/v1/jobs", "/v1/job/rules", "/v1/validate/job", "/v1/job/rules/plan")


@pytest.mark.parametrize("url", ENTRY_PATHS)
def test_every_refused_field_is_a_400_naming_it(http: httpx.Client, url: str) -> None:
    for where, key in _refused_cases():
        r = http.post(url, json=_with("rules", where, key, {"Set": "x"}))
        assert r.status_code == 400, (key, r.text)
        assert r.text == f"{_PATHS[where]}.{key}: not supported by caravan", key
    r = http.post(url, json=_with("rules", "task", "Comand", "/bin/sh"))
    assert (r.status_code, r.text) == (400, "Job.TaskGroups[0].Tasks[0].Comand: unknown field")
    r = http.post(url, json={**_with("rules", "job", "Meta", None), "Bogus": True})
    assert (r.status_code, r.text) == (400, "Bogus: unknown field")
    assert http.get("/v1/job/rules").status_code == 404  # nothing was registered


def test_every_refused_hcl_block_is_a_400_at_parse(http: httpx.Client) -> None:
    for table in (fields.JOB, fields.GROUP, fields.TASK):
        for field in table.refused:
            if field.hcl is None:
                continue
            line = f"{field.hcl} {{\n}}" if field.block else f'{field.hcl} = "x"'
            body = {"job": line, "group": "", "task": ""} if table is fields.JOB else (
                {"job": "", "group": line, "task": ""} if table is fields.GROUP
                else {"job": "", "group": "", "task": line})
            hcl = (f'job "p" {{\n{body["job"]}\n group "g" {{\n{body["group"]}\n'
                   f'  task "t" {{\n   driver = "raw_exec"\n{body["task"]}\n  }}\n }}\n}}\n')
            r = http.post("/v1/jobs/parse", json={"JobHCL": hcl})
            assert r.status_code == 400, (field, r.text)
            assert f'"{field.hcl}" is not supported by caravan' in r.text


def test_nomads_full_structs_of_nulls_register_and_run(http: httpx.Client) -> None:
    r = http.post("/v1/jobs", json=api_fields.zero_job("zeros"))
    assert r.status_code == 200, r.text
    wait_until(lambda: http.get("/v1/job/zeros/summary").json()["Summary"]["main"]["Complete"]
               == 1, 60, what="the zero-valued job completed")
    stored = http.get("/v1/job/zeros").json()
    assert stored["TaskGroups"][0]["Networks"][0]["DynamicPorts"][0]["Label"] == "http"
    # What `job inspect` prints is a valid submission again, unchanged.
    again = http.post("/v1/job/zeros", json={"Job": stored})
    assert again.status_code == 200, again.text
    assert http.get("/v1/job/zeros").json()["Version"] == stored["Version"]


def test_a_refused_update_changes_nothing_stored(http: httpx.Client) -> None:
    document = raw_exec_job("keep")
    assert http.post("/v1/jobs", json=document).status_code == 200
    # the job's Status follows its allocation: read it once it has settled
    before = wait_until(lambda: (job := http.get("/v1/job/keep").json())["Status"] == "running"
                        and job, 60, what="the job running")
    evals = http.get("/v1/job/keep/evaluations").json()
    changed = copy.deepcopy(document)
    changed["Job"]["TaskGroups"][0]["Count"] = 3
    changed["Job"]["TaskGroups"][0]["Tasks"][0]["Vault"] = {"Policies": ["p"]}
    for url in ("/v1/jobs", "/v1/job/keep"):
        r = http.post(url, json=changed)
        assert r.status_code == 400 and "Vault: not supported by caravan" in r.text
    assert http.get("/v1/job/keep").json() == before
    assert http.get("/v1/job/keep/evaluations").json() == evals
    http.delete("/v1/job/keep", params={"purge": "true"})


def test_validate_answers_as_nomad(http: httpx.Client, pn: nomad.Nomad) -> None:
    good = pn.validate.validate_job(api_fields.zero_job("v-good")).json()
    assert good == {"DriverConfigValidated": True, "ValidationErrors": None, "Error": "",
                    "Warnings": ""}
    bad = raw_exec_job("bad id", count=-1)
    answer = pn.validate.validate_job(bad).json()
    assert answer["DriverConfigValidated"] is True
    assert any("Job ID contains a space" in e for e in answer["ValidationErrors"])
    assert "Task group count can't be negative" in answer["Error"]
    with pytest.raises(exceptions.BadRequestNomadException):
        pn.validate.validate_job(_with("v-bad", "task", "Vault", {"Policies": ["p"]}))
    assert http.post("/v1/validate/job", json={}).text == "Job must be specified"
    assert http.get("/v1/validate/job").status_code == 405
    assert http.get("/v1/job/v-good").status_code == 404  # validating registers nothing


def test_python_nomad_register_is_unchanged(pn: nomad.Nomad) -> None:
    reply = pn.job.register_job("pn-rules", api_fields.zero_job("pn-rules"))
    assert reply["EvalID"]
    assert pn.job.get_job("pn-rules")["ID"] == "pn-rules"
    with pytest.raises(exceptions.BadRequestNomadException):
        pn.jobs.register_job(_with("pn-bad", "group", "Scaling", {"Min": 1, "Max": 3}))


def test_sub_routes_never_reach_the_job(http: httpx.Client, pn: nomad.Nomad) -> None:
    assert http.post("/v1/jobs", json=raw_exec_job("subs")).status_code == 200
    assert http.post("/v1/jobs", json=raw_exec_job("subs/nested")).status_code == 200
    before = http.get("/v1/job/subs").json()
    for method, suffix in (("GET", "dispatch/payload"), ("GET", "submission"),
                           ("GET", "tag/v1")):
        r = http.request(method, f"/v1/job/subs/{suffix}", json=raw_exec_job("subs"))
        assert r.status_code == 501, (suffix, r.text)
        assert "is not implemented by caravan" in r.text
    with pytest.raises(exceptions.BadRequestNomadException):
        pn.job.plan_job("subs", _with("subs", "task", "Vault", {"Policies": ["p"]}))
    for suffix in ("versions", "services", "summary", "deployments", "deployment"):
        r = http.post(f"/v1/job/subs/{suffix}", json=raw_exec_job("subs"))
        assert (r.status_code, r.text) == (405, "Invalid method")
    for method in ("GET", "DELETE"):
        r = http.request(method, "/v1/job/subs/bogus")
        assert (r.status_code, r.text) == (404, "Invalid URL path")
    r = http.post("/v1/job/subs/bogus", json=raw_exec_job("subs"))
    assert (r.status_code, r.text) == (404, "Invalid URL path")
    assert http.get("/v1/job/subs").json() == before
    assert http.get("/v1/job/subs/nested").json()["ID"] == "subs/nested"
    assert http.get("/v1/job/nojob/bogus").text == "job not found"
