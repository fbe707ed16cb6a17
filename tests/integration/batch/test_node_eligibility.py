"""`node eligibility` against a real agent: an ineligible node gets no new placements
(the job waits, blocked), made eligible again the waiting job is placed there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def http(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=10) as client:
        yield client


def test_an_ineligible_node_gets_nothing_new_until_eligible(dev_agent: AgentProcess,
                                                            http: httpx.Client) -> None:
    [node] = http.get("/v1/nodes").json()
    off = caravan(dev_agent, "node", "eligibility", "-disable", node["ID"][:8])
    assert (off.returncode, off.stdout) == (
        0, f'Node "{node["ID"]}" scheduling eligibility set: ineligible for scheduling\n')
    assert http.get(f"/v1/node/{node['ID']}").json()["SchedulingEligibility"] == "ineligible"
    http.post("/v1/jobs", json=raw_exec_job("waits"))
    wait_until(lambda: any(e["Status"] == "blocked"
                           for e in http.get("/v1/job/waits/evaluations").json()),
               what="a blocked evaluation")
    assert http.get("/v1/job/waits/allocations").json() == []
    on = caravan(dev_agent, "node", "eligibility", "-enable", "-self")
    assert on.stdout.endswith("scheduling eligibility set: eligible for scheduling\n"), on.stderr
    wait_until(lambda: [a for a in http.get("/v1/job/waits/allocations").json()
                        if a["NodeID"] == node["ID"]], what="the job placed")
    http.delete("/v1/job/waits")


def test_bad_eligibility_requests(dev_agent: AgentProcess, http: httpx.Client) -> None:
    [node] = http.get("/v1/nodes").json()
    r = http.put(f"/v1/node/{node['ID']}/eligibility", json={"Eligibility": "maybe"})
    assert r.status_code == 400 and 'invalid scheduling eligibility "maybe"' in r.text
    r = http.put("/v1/node/00000000-0000-0000-0000-000000000000/eligibility",
                 json={"Eligibility": "eligible"})
    assert r.status_code == 404
    both = caravan(dev_agent, "node", "eligibility", "-enable", "-disable", node["ID"])
    assert both.returncode == 1
    assert "Either the '-enable' or '-disable' flag must be set" in both.stderr


def test_purge_forgets_the_node_and_its_work_is_placed_again(http: httpx.Client) -> None:
    [node] = http.get("/v1/nodes").json()
    http.post("/v1/jobs", json=raw_exec_job("moves"))
    [first] = wait_until(lambda: [a for a in http.get("/v1/job/moves/allocations").json()
                                  if a["ClientStatus"] == "running"], what="running")
    r = http.put(f"/v1/node/{node['ID']}/purge")
    assert r.status_code == 200, r.text
    [eval_id] = r.json()["EvalIDs"]
    ev = http.get(f"/v1/evaluation/{eval_id}").json()
    assert (ev["TriggeredBy"], ev["JobID"], ev["NodeID"]) == (
        "node-deregister", "moves", node["ID"])
    # The client is alive: it registers again, and the job runs there anew.
    wait_until(lambda: any(a["ID"] != first["ID"] and a["ClientStatus"] == "running"
                           for a in http.get("/v1/job/moves/allocations").json()),
               timeout_s=60, what="a replacement running")
    old = http.get(f"/v1/allocation/{first['ID']}").json()
    assert old["DesiredStatus"] == "stop"
    assert http.put("/v1/node/00000000-0000-0000-0000-000000000000/purge").status_code == 404
    http.delete("/v1/job/moves")


def test_eligibility_outlives_the_clients_next_registration(tmp_path: Path) -> None:
    """The operator's choice is the server's: a client that starts again (and registers
    again with its own idea of itself) does not make its node eligible."""
    agent = AgentProcess(root=tmp_path, name="both", dev=False).start()
    try:
        with httpx.Client(base_url=agent.address, timeout=10) as http:
            [node] = http.get("/v1/nodes").json()
            set_at = http.put(f"/v1/node/{node['ID']}/eligibility",
                              json={"Eligibility": "ineligible"}).json()["NodeModifyIndex"]
            agent.stop()
            agent.start()
            again = wait_until(lambda: (n := http.get(f"/v1/node/{node['ID']}").json())
                               ["ModifyIndex"] > set_at and n, what="the client registered")
            assert (again["Status"], again["SchedulingEligibility"]) == ("ready", "ineligible")
    finally:
        agent.stop()
