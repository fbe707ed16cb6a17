"""`operator scheduler get-config|set-config` and `/v1/operator/scheduler/configuration`
against a real agent: memory_max is granted only with memory oversubscription on, a
paused eval broker leaves evaluations pending, job registration can be refused, and
what caravan cannot do is refused, not stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration
PATH = "/v1/operator/scheduler/configuration"


@pytest.fixture
def http(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=10) as client:
        yield client
        default = {"SchedulerAlgorithm": "binpack", "PreemptionConfig": {
            "SystemSchedulerEnabled": True}}
        client.put(PATH, json=default).raise_for_status()


def config(http: httpx.Client) -> dict[str, Any]:
    found: dict[str, Any] = http.get(PATH).json()["SchedulerConfig"]
    return found


def max_granted(http: httpx.Client, job_id: str) -> int:
    job = raw_exec_job(job_id, args=["-c", "sleep 300"])
    job["Job"]["TaskGroups"][0]["Tasks"][0]["Resources"]["MemoryMaxMB"] = 64
    http.post("/v1/jobs", json=job).raise_for_status()
    [stub] = wait_until(lambda: http.get(f"/v1/job/{job_id}/allocations").json(), 30,
                        what=f"{job_id} placed")
    alloc = http.get(f"/v1/allocation/{stub['ID']}").json()
    http.delete(f"/v1/job/{job_id}?purge=true")
    granted: int = alloc["AllocatedResources"]["Tasks"]["main"]["Memory"]["MemoryMaxMB"]
    return granted


def test_memory_max_only_with_oversubscription(dev_agent: AgentProcess,
                                               http: httpx.Client) -> None:
    shown = caravan(dev_agent, "operator", "scheduler", "get-config")
    assert shown.returncode == 0, shown.stderr
    lines = dict(line.split(" = ") for line in shown.stdout.splitlines())
    shown_as = {k.strip(): v for k, v in lines.items()}
    expected = {"Scheduler Algorithm": "binpack", "Memory Oversubscription": "false",
                "Preemption System Scheduler": "true", "Pause Eval Broker": "false"}
    assert {k: shown_as[k] for k in expected} == expected
    assert max_granted(http, "tight") == 0
    on = caravan(dev_agent, "operator", "scheduler", "set-config",
                 "-memory-oversubscription=true")
    assert (on.returncode, on.stdout) == (0, "Scheduler configuration updated!\n"), on.stderr
    assert config(http)["MemoryOversubscriptionEnabled"] is True
    assert max_granted(http, "loose") == 64


def test_check_and_set(dev_agent: AgentProcess, http: httpx.Client) -> None:
    index = config(http)["ModifyIndex"]
    stale = http.put(PATH, params={"cas": index + 1000},
                     json={"MemoryOversubscriptionEnabled": True})
    assert stale.json()["Updated"] is False
    assert config(http)["ModifyIndex"] == index
    wrong = caravan(dev_agent, "operator", "scheduler", "set-config",
                    "-check-index", str(index + 1000), "-pause-eval-broker=false")
    assert wrong.returncode == 1 and "does not match current state value" in wrong.stderr
    right = http.put(PATH, params={"cas": index}, json={"RejectJobRegistration": False})
    assert right.json()["Updated"] is True and config(http)["ModifyIndex"] > index


def test_rejected_registration_and_paused_broker(http: httpx.Client) -> None:
    http.put(PATH, json={"RejectJobRegistration": True}).raise_for_status()
    refused = http.post("/v1/jobs", json=raw_exec_job("refused"))
    assert refused.status_code == 403, refused.text
    http.put(PATH, json={"PauseEvalBroker": True}).raise_for_status()
    reply = http.post("/v1/jobs", json=raw_exec_job("waits", args=["-c", "sleep 300"]))
    assert reply.status_code == 200, reply.text
    eval_id = reply.json()["EvalID"]
    ev = http.get(f"/v1/evaluation/{eval_id}").json()
    later = http.get(f"/v1/evaluation/{eval_id}",
                     params={"index": ev["ModifyIndex"], "wait": "2s"}).json()
    assert later["Status"] == "pending"
    assert http.get("/v1/job/waits/allocations").json() == []
    http.put(PATH, json={"PauseEvalBroker": False}).raise_for_status()
    wait_until(lambda: http.get(f"/v1/evaluation/{eval_id}").json()["Status"] == "complete",
               30, what="the eval processed once resumed")
    http.delete("/v1/job/waits?purge=true")


def test_what_caravan_cannot_do_is_refused(dev_agent: AgentProcess,
                                           http: httpx.Client) -> None:
    before = config(http)
    for body, message in [({"SchedulerAlgorithm": "spread"}, "not supported by caravan"),
                          ({"SchedulerAlgorithm": "fast"}, "invalid scheduler algorithm"),
                          ({"PreemptionConfig": {"ServiceSchedulerEnabled": True}},
                           "preemption for batch, sysbatch and service jobs")]:
        r = http.put(PATH, json=body)
        assert r.status_code == 400 and message in r.text, (body, r.text)
    assert config(http) == before
    bad = caravan(dev_agent, "operator", "scheduler", "set-config",
                  "-memory-oversubscription=maybe")
    assert bad.returncode == 1 and "invalid boolean value" in bad.stderr


def test_eval_delete_only_while_paused(dev_agent: AgentProcess, http: httpx.Client) -> None:
    http.post("/v1/jobs", json=raw_exec_job("gone", args=["-c", "exit 0"],
                                            job_type="batch")).raise_for_status()
    [ev] = wait_until(lambda: [e for e in http.get("/v1/job/gone/evaluations").json()
                               if e["Status"] == "complete"], 30, what="gone evaluated")
    refused = caravan(dev_agent, "eval", "delete", ev["ID"])
    assert refused.returncode == 1 and "Eval broker is not paused" in refused.stderr
    assert "set-config -pause-eval-broker=true" in refused.stdout
    r = http.request("DELETE", "/v1/evaluations", json={"EvalIDs": [ev["ID"]]})
    assert r.status_code == 400 and "eval broker must be paused" in r.text
    http.put(PATH, json={"PauseEvalBroker": True}).raise_for_status()
    r = http.request("DELETE", "/v1/evaluations", json={"Filter": "Status == \"complete\""})
    assert r.status_code == 400 and "not supported by caravan" in r.text
    r = http.request("DELETE", "/v1/evaluations", json={"EvalIDs": ["nope"]})
    assert r.status_code == 404
    done = caravan(dev_agent, "eval", "delete", ev["ID"])
    assert (done.returncode, done.stdout) == (0, "Successfully deleted 1 evaluation\n"), \
        done.stderr
    assert http.get(f"/v1/evaluation/{ev['ID']}").status_code == 404
    assert ev["ID"] not in [e["ID"] for e in http.get("/v1/evaluations").json()]
    http.delete("/v1/job/gone?purge=true")
