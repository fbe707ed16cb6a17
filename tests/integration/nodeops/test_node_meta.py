"""`node meta apply|read` and `/v1/client/metadata` against real agents: dynamic keys
reach the server's node (and constraints), hide static ones when unset, outlive an agent
restart, and bad keys are refused."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan
from tests.integration.jobs import raw_exec_job
from tests.integration.nodeops.conftest import Pair

pytestmark = pytest.mark.integration


def test_meta_applied_through_the_server_reaches_constraints(pair: Pair) -> None:
    http = pair.http
    applied = caravan(pair.server, "node", "meta", "apply", "-node-id", pair.a[:8],
                      "rack=r1", "zone=z")
    assert (applied.returncode, applied.stdout, applied.stderr) == (0, "", "")
    wait_until(lambda: http.get(f"/v1/node/{pair.a}").json()["Meta"].get("rack") == "r1",
               30, what="the server's node has the key")
    job = raw_exec_job("racked", args=["-c", "sleep 300"], constraints=[
        {"LTarget": "${meta.rack}", "RTarget": "r1", "Operand": "="}])
    http.post("/v1/jobs", json=job).raise_for_status()
    [alloc] = wait_until(lambda: http.get("/v1/job/racked/allocations").json(), 30,
                         what="racked placed")
    assert alloc["NodeID"] == pair.a
    http.delete("/v1/job/racked?purge=true")

    read = caravan(pair.server, "node", "meta", "read", "-node-id", pair.a)
    assert read.returncode == 0, read.stderr
    sections = read.stdout.split("\n\n")
    assert sections[0].startswith("All Meta\n") and "rack = r1" in sections[0]
    assert sections[1].splitlines() == ["Dynamic Meta", "rack = r1", "zone = z"]
    as_json = json.loads(caravan(pair.server, "node", "meta", "read", "-json",
                                 "-node-id", pair.a).stdout)
    assert as_json["Dynamic"] == {"rack": "r1", "zone": "z"}

    unset = caravan(pair.server, "node", "meta", "apply", "-node-id", pair.a,
                    "-unset", "rack,zone")
    assert unset.returncode == 0, unset.stderr
    reply = http.get("/v1/client/metadata", params={"node_id": pair.a}).json()
    assert "rack" not in reply["Meta"] and reply["Dynamic"] == {}
    wait_until(lambda: "rack" not in http.get(f"/v1/node/{pair.a}").json()["Meta"], 30,
               what="the key gone on the server")


def test_bad_meta_requests(pair: Pair) -> None:
    http = pair.http
    for meta, message in [({}, "missing required Meta object"),
                          ({"bad key": "x"}, "metadata keys must be valid dotted hcl"),
                          ({"": "x"}, "metadata keys must not be empty")]:
        r = http.post("/v1/client/metadata", params={"node_id": pair.a},
                      json={"Meta": meta})
        assert r.status_code == 400 and message in r.text, (meta, r.text)
    r = http.get("/v1/client/metadata")   # the server runs no client
    assert r.status_code == 400 and "No local Node and node_id not provided" in r.text
    r = http.get("/v1/client/metadata", params={"node_id": "nope"})
    assert r.status_code == 404
    none = caravan(pair.server, "node", "meta", "apply")
    assert none.returncode == 1 and "Must specify -unset or at least 1 key=value pair" \
        in none.stderr


def test_dynamic_meta_outlives_a_restart_and_hides_static_keys(tmp_path: Path) -> None:
    agent = AgentProcess(root=tmp_path, name="metad", dev=False,
                         config='client { meta { owner = "ops" } }')
    agent.start()
    try:
        with httpx.Client(base_url=agent.address, timeout=10) as http:
            r = http.post("/v1/client/metadata", json={"Meta": {"owner": None, "tier": "2"}})
            assert r.status_code == 200, r.text
            assert r.json() == {"Meta": {"tier": "2"}, "Static": {"owner": "ops"},
                                "Dynamic": {"owner": None, "tier": "2"}}
            agent.stop()
            agent.start()
            again = http.get("/v1/client/metadata").json()
            assert again["Meta"] == {"tier": "2"} and again["Dynamic"]["owner"] is None
            [node] = http.get("/v1/nodes").json()
            wait_until(lambda: http.get(f"/v1/node/{node['ID']}").json()["Meta"]
                       == {"tier": "2"}, 30, what="the server has the merged meta")
    finally:
        agent.stop()
