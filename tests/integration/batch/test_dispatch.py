"""Parameterized jobs against a real agent: dispatch with payload and meta (API and CLI),
the payload written to the task's `dispatch_payload` file, and Nomad's refusals."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

SCRIPT = 'cat local/in/payload.txt; echo " customer=$NOMAD_META_customer color=$NOMAD_META_color"'


def parameterized_job(job_id: str, payload: str = "optional") -> dict[str, Any]:
    body = raw_exec_job(job_id, job_type="batch", args=["-c", SCRIPT])
    body["Job"]["ParameterizedJob"] = {"Payload": payload, "MetaRequired": ["customer"],
                                       "MetaOptional": ["color"]}
    body["Job"]["Meta"] = {"color": "blue"}
    body["Job"]["TaskGroups"][0]["Tasks"][0]["DispatchPayload"] = {"File": "in/payload.txt"}
    return body


@pytest.fixture(scope="module")
def http(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=10) as client:
        yield client


def stdout_of(http: httpx.Client, job_id: str) -> str:
    """The dispatched job's task output, once it has finished."""
    allocs = http.get(f"/v1/job/{job_id}/allocations").json()
    if not allocs or allocs[0]["ClientStatus"] != "complete":
        return ""
    r = http.get(f"/v1/client/fs/cat/{allocs[0]['ID']}",
                 params={"path": "alloc/logs/main.stdout.0"})
    return r.text if r.status_code == 200 else ""


def test_dispatch_runs_a_child_with_payload_and_meta(http: httpx.Client) -> None:
    reply = http.post("/v1/jobs", json=parameterized_job("render")).json()
    assert reply["EvalID"] == ""
    r = http.post("/v1/job/render/dispatch", json={
        "Payload": base64.b64encode(b"hello-payload").decode(),
        "Meta": {"customer": "acme", "color": "red"}, "IdPrefixTemplate": "nightly"})
    assert r.status_code == 200, r.text
    child_id = r.json()["DispatchedJobID"]
    assert child_id.startswith("render/dispatch-nightly-") and r.json()["EvalID"]
    out = wait_until(lambda: stdout_of(http, child_id), timeout_s=60, what="the child ran")
    assert out == "hello-payload customer=acme color=red\n"
    child = http.get(f"/v1/job/{child_id}").json()
    assert (child["ParentID"], child["Dispatched"]) == ("render", True)
    [stub] = [s for s in http.get("/v1/jobs", params={"prefix": "render"}).json()
              if s["ID"] == "render"]
    assert stub["ParameterizedJob"] is True and stub["Status"] == "running"
    assert http.get("/v1/job/render/summary").json()["Children"]["Dead"] == 1
    assert http.get("/v1/job/render/allocations").json() == []


@pytest.mark.parametrize(("body", "message"), [
    ({"Meta": {"customer": "a"}}, "Payload is not provided but required by parameterized job"),
    ({"Payload": "aGk=", "Meta": {}}, "Dispatch did not provide required meta keys: [customer]"),
    ({"Payload": "aGk=", "Meta": {"customer": "a", "size": "xl"}},
     "Dispatch request included unpermitted metadata keys: [size]"),
    ({"Payload": base64.b64encode(b"x" * (16 * 1024 + 1)).decode(), "Meta": {"customer": "a"}},
     "Payload exceeds maximum size; 16385 > 16384"),
    ({"Payload": "not base64!", "Meta": {"customer": "a"}}, "Payload must be base64-encoded bytes"),
])
def test_bad_dispatches_are_refused(http: httpx.Client, body: dict[str, Any],
                                    message: str) -> None:
    http.post("/v1/jobs", json=parameterized_job("strict", payload="required"))
    before = len(http.get("/v1/jobs", params={"prefix": "strict/"}).json())
    r = http.post("/v1/job/strict/dispatch", json=body)
    assert (r.status_code, r.text) == (400, message)
    assert len(http.get("/v1/jobs", params={"prefix": "strict/"}).json()) == before


def test_only_live_parameterized_jobs_dispatch(http: httpx.Client) -> None:
    http.post("/v1/jobs", json=raw_exec_job("plain-batch", job_type="batch",
                                            args=["-c", "true"]))
    r = http.post("/v1/job/plain-batch/dispatch", json={})
    assert (r.status_code, r.text) == (400, 'Specified job "plain-batch" is not a parameterized job')
    assert http.post("/v1/job/absent/dispatch", json={}).status_code == 404
    http.post("/v1/jobs", json=parameterized_job("retired"))
    http.delete("/v1/job/retired")
    r = http.post("/v1/job/retired/dispatch", json={"Meta": {"customer": "a"}})
    assert (r.status_code, r.text) == (400, 'Specified job "retired" is stopped')
    forbidden = parameterized_job("no-input", payload="forbidden")
    http.post("/v1/jobs", json=forbidden)
    r = http.post("/v1/job/no-input/dispatch", json={"Payload": "aGk=",
                                                     "Meta": {"customer": "a"}})
    assert (r.status_code, r.text) == (400, "Payload provided but forbidden by parameterized job")


def test_the_cli_dispatches_from_a_file_or_stdin(dev_agent: AgentProcess, tmp_path: Path,
                                                 http: httpx.Client) -> None:
    http.post("/v1/jobs", json=parameterized_job("cli-render"))
    source = tmp_path / "input.txt"
    source.write_text("from-file")
    ran = caravan(dev_agent, "job", "dispatch", "-detach", "-meta", "customer=zed",
                  "cli-render", str(source))
    assert ran.returncode == 0, ran.stderr
    first, second = ran.stdout.splitlines()
    assert first.startswith("Dispatched Job ID = cli-render/dispatch-")
    assert second.startswith("Evaluation ID     = ")
    child_id = first.split(" = ")[1]
    out = wait_until(lambda: stdout_of(http, child_id), timeout_s=60, what="the child ran")
    assert out == "from-file customer=zed color=blue\n"
    piped = caravan(dev_agent, "job", "dispatch", "-detach", "-meta", "customer=a",
                    "cli-render", "-", stdin="from-stdin")
    assert piped.returncode == 0, piped.stderr
    status = caravan(dev_agent, "job", "status", "cli-render")
    assert "Parameterized Job\nPayload           = optional\nRequired Metadata = customer\n" \
           "Optional Metadata = color" in status.stdout
    assert "Dispatched Jobs\n" in status.stdout and child_id in status.stdout
    refused = caravan(dev_agent, "job", "dispatch", "-meta", "oops", "cli-render")
    assert (refused.returncode, refused.stderr.strip()) == (1, "Error parsing meta value: oops")
    missing = caravan(dev_agent, "job", "dispatch", "nothing")
    assert missing.stderr.strip() == 'No parameterized job(s) with prefix or ID "nothing" found'
