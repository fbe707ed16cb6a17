"""`node drain` against real agents: a service's allocations leave a drained node
`migrate.max_parallel` at a time, each next one only once the previous replacement is
healthy; batch allocations are left to finish; system ones go last; the monitor prints
what Nomad's does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from caravan.structs.acl import parse_rfc3339_ns
from tests.agents import wait_until
from tests.e2e.cli import caravan
from tests.integration.jobs import raw_exec_job
from tests.integration.nodeops.conftest import Pair

pytestmark = pytest.mark.integration
S = 1_000_000_000


@pytest.fixture(autouse=True)
def clean(pair: Pair) -> Iterator[None]:
    """Each test starts from two eligible, undrained nodes and no jobs, even after a
    failure."""
    yield
    http = pair.http
    for stub in http.get("/v1/jobs").json():
        http.delete(f"/v1/job/{stub['ID']}?purge=true")
    for node_id in (pair.a, pair.b):
        http.put(f"/v1/node/{node_id}/drain", json={"DrainSpec": None, "MarkEligible": True})


def eligible(http: httpx.Client, node_id: str, yes: bool) -> None:
    body = {"Eligibility": "eligible" if yes else "ineligible"}
    http.put(f"/v1/node/{node_id}/eligibility", json=body).raise_for_status()


def service_job(job_id: str, count: int) -> dict[str, Any]:
    document = raw_exec_job(job_id, count=count, args=["-c", "sleep 300"])
    group = document["Job"]["TaskGroups"][0]
    group["Update"] = {"MaxParallel": 0}   # placed at once, health still reported
    group["Migrate"] = {"MaxParallel": 1, "HealthCheck": "task_states",
                        "MinHealthyTime": S // 2, "HealthyDeadline": 60 * S}
    return document


def allocs(http: httpx.Client, job_id: str) -> list[dict[str, Any]]:
    stubs = http.get(f"/v1/job/{job_id}/allocations").json()
    return [http.get(f"/v1/allocation/{a['ID']}").json() for a in stubs]


def healthy_on(http: httpx.Client, job_id: str, node_id: str, count: int) -> bool:
    found = [a for a in allocs(http, job_id) if a["NodeID"] == node_id
             and a["ClientStatus"] == "running" and a["DesiredStatus"] == "run"
             and (a.get("DeploymentStatus") or {}).get("Healthy")]
    return len(found) == count


def test_a_drain_moves_a_service_one_at_a_time_and_system_jobs_last(pair: Pair) -> None:
    http = pair.http
    eligible(http, pair.b, False)
    http.post("/v1/jobs", json=service_job("web", 3)).raise_for_status()
    system = raw_exec_job("agentd", job_type="system", args=["-c", "sleep 300"])
    http.post("/v1/jobs", json=system).raise_for_status()
    wait_until(lambda: healthy_on(http, "web", pair.a, 3), 120, what="web healthy on a")
    eligible(http, pair.b, True)
    old = {a["ID"] for a in allocs(http, "web")}

    done = caravan(pair.server, "node", "drain", "-enable", "-yes", "-deadline", "5m",
                   pair.a[:8], timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith(": Ctrl-C to stop monitoring: will not cancel the node drain")
    assert lines[1].endswith(f': Node "{pair.a}" drain strategy set')
    # Each old allocation's move is reported (marked, draining, or already its status
    # change when the monitor looked a moment late).
    reported = {line.split('"')[1] for line in lines if ': Alloc "' in line}
    assert old <= reported, done.stdout
    assert any(line.endswith("marked for migration") for line in lines), done.stdout
    assert any(line.endswith(f"Drain complete for node {pair.a}") for line in lines)
    assert any(line.endswith(f'All allocations on node "{pair.a}" have stopped')
               for line in lines)

    now = allocs(http, "web")
    moved = sorted((a for a in now if a["ID"] not in old), key=lambda a: a["CreateIndex"])
    assert len(moved) == 3 and all(a["NodeID"] == pair.b for a in moved)
    assert {a["PreviousAllocation"] for a in moved} == old
    for a in now:
        if a["ID"] in old:
            assert (a["DesiredStatus"], a["DesiredDescription"]) == (
                "stop", "alloc is being migrated")
            assert a["DesiredTransition"]["Migrate"] is True
    # One at a time: each replacement was placed only after the one before was healthy.
    wait_until(lambda: healthy_on(http, "web", pair.b, 3), 120, what="replacements healthy")
    moved = sorted((a for a in allocs(http, "web") if a["ID"] not in old),
                   key=lambda a: a["CreateIndex"])
    for before, after in zip(moved, moved[1:]):
        healthy_at = parse_rfc3339_ns(before["DeploymentStatus"]["Timestamp"])
        assert after["CreateTime"] >= healthy_at, (before, after)

    # System allocations went last, once the drain had nothing else left.
    [sys_a] = [a for a in allocs(http, "agentd") if a["NodeID"] == pair.a]
    assert (sys_a["DesiredStatus"], sys_a["DesiredDescription"]) == (
        "stop", "alloc is being migrated")
    assert sys_a["ClientStatus"] == "complete"

    node = http.get(f"/v1/node/{pair.a}").json()
    assert (node["Drain"], node["DrainStrategy"], node["SchedulingEligibility"]) == (
        False, None, "ineligible")
    assert node["LastDrain"]["Status"] == "complete"
    status = caravan(pair.server, "node", "status", pair.a)
    assert [line.split("=", 1)[1].strip() for line in status.stdout.splitlines()
            if line.startswith("Drain ")] == ["false"], status.stdout


def node(http: httpx.Client, node_id: str) -> dict[str, Any]:
    found: dict[str, Any] = http.get(f"/v1/node/{node_id}").json()
    return found


def test_batch_allocations_are_left_to_finish_without_a_deadline(pair: Pair,
                                                                 tmp_path: Path) -> None:
    http = pair.http
    flag = tmp_path / "finish"
    eligible(http, pair.b, False)
    batch = raw_exec_job("report", job_type="batch",
                         args=["-c", f"while [ ! -e {flag} ]; do sleep 0.1; done"])
    http.post("/v1/jobs", json=batch).raise_for_status()
    http.post("/v1/jobs", json=service_job("api", 1)).raise_for_status()
    wait_until(lambda: healthy_on(http, "api", pair.a, 1), 120, what="api healthy on a")
    [report] = wait_until(lambda: [a for a in allocs(http, "report")
                                   if a["ClientStatus"] == "running"], 120, what="report runs")
    eligible(http, pair.b, True)
    set_ = caravan(pair.server, "node", "drain", "-enable", "-no-deadline", "-detach",
                   pair.a)
    assert (set_.returncode, set_.stdout) == (0, f'Node "{pair.a}" drain strategy set\n')
    assert node(http, pair.a)["DrainStrategy"]["Deadline"] == 0
    # The drainer has acted (the service moved) but the batch allocation runs on.
    wait_until(lambda: healthy_on(http, "api", pair.b, 1), 120, what="api moved to b")
    [still] = [a for a in allocs(http, "report")]
    assert (still["ID"], still["ClientStatus"], still["DesiredStatus"]) == (
        report["ID"], "running", "run")
    assert not still["DesiredTransition"]["Migrate"]
    status = caravan(pair.server, "node", "status", pair.a)
    assert "true; no deadline" in status.stdout, status.stdout
    # The client registering again (here: its metadata changed) keeps the operator's drain.
    r = http.post("/v1/client/metadata", params={"node_id": pair.a},
                  json={"Meta": {"maintenance": "yes"}})
    assert r.status_code == 200, r.text
    wait_until(lambda: node(http, pair.a)["Meta"].get("maintenance") == "yes", 120,
               what="the client registered again")
    again = node(http, pair.a)
    assert (again["Drain"], again["DrainStrategy"]["Deadline"]) == (True, 0)
    assert again["LastDrain"]["Status"] == "draining"
    flag.touch()
    wait_until(lambda: node(http, pair.a)["DrainStrategy"] is None, 120, what="drain complete")
    assert node(http, pair.a)["LastDrain"]["Status"] == "complete"
    [done] = allocs(http, "report")
    assert (done["ID"], done["ClientStatus"]) == (report["ID"], "complete")


def test_force_moves_everything_at_once_and_disable_cancels(pair: Pair) -> None:
    http = pair.http
    eligible(http, pair.b, False)
    http.post("/v1/jobs", json=raw_exec_job("crunch", job_type="batch",
                                            args=["-c", "sleep 300"])).raise_for_status()
    [first] = wait_until(lambda: [a for a in allocs(http, "crunch")
                                  if a["ClientStatus"] == "running"], 120, what="crunch runs")
    eligible(http, pair.b, True)
    # A batch allocation without a deadline: the drain stays open until cancelled.
    r = http.put(f"/v1/node/{pair.a}/drain",
                 json={"DrainSpec": {"Deadline": 0}, "Meta": {"why": "kernel"}})
    assert r.status_code == 200 and r.json()["NodeModifyIndex"] > 0, r.text
    drained = node(http, pair.a)
    assert (drained["Drain"], drained["SchedulingEligibility"]) == (True, "ineligible")
    assert drained["LastDrain"]["Meta"] == {"why": "kernel"}
    off = caravan(pair.server, "node", "drain", "-disable", "-yes", pair.a[:8])
    assert (off.returncode, off.stdout) == (0, f'Node "{pair.a}" drain strategy unset\n')
    cancelled = node(http, pair.a)
    assert (cancelled["DrainStrategy"], cancelled["SchedulingEligibility"]) == (
        None, "eligible")
    assert cancelled["LastDrain"]["Status"] == "canceled"
    assert [a["ID"] for a in allocs(http, "crunch")] == [first["ID"]]

    forced = caravan(pair.server, "node", "drain", "-enable", "-force", "-yes", pair.a,
                     timeout=300)
    assert forced.returncode == 0, forced.stderr
    assert f'Alloc "{first["ID"]}"' in forced.stdout
    moved = [a for a in allocs(http, "crunch") if a["ID"] != first["ID"]]
    assert [(a["NodeID"], a["PreviousAllocation"]) for a in moved] == [(pair.b, first["ID"])]


def test_bad_drain_requests(pair: Pair) -> None:
    http = pair.http
    r = http.put(f"/v1/node/{pair.a}/drain", json={"DrainSpec": {"Deadline": "soon"}})
    assert r.status_code == 400 and "Deadline" in r.text
    r = http.put(f"/v1/node/{pair.a}/drain", json={"NodeID": pair.b, "DrainSpec": None})
    assert r.status_code == 400 and "node ID does not match" in r.text
    r = http.put("/v1/node/00000000-0000-0000-0000-000000000000/drain",
                 json={"DrainSpec": None})
    assert r.status_code == 404
    for args, message in [
            ((), "Either the '-enable' or '-disable' flag must be set, unless using '-monitor'"),
            (("-enable", "-force", "-no-deadline"), "-force and -no-deadline are mutually"),
            (("-enable", "-deadline", "1m", "-force"), "-deadline can't be combined"),
            (("-disable", "-force"), "-disable can't be combined with flags"),
            (("-enable", "-deadline", "-5s"), "A positive drain duration must be given")]:
        r2 = caravan(pair.server, "node", "drain", *args, pair.a)
        assert r2.returncode == 1 and message in r2.stderr, (args, r2.stderr)
    assert node(http, pair.a)["DrainStrategy"] is None


def test_python_nomad_drain_with_spec(pair: Pair) -> None:
    import nomad
    address = pair.server.address.removeprefix("http://")
    host, port = address.split(":")
    api = nomad.Nomad(host=host, port=int(port), timeout=10)
    before = (node(pair.http, pair.a)["LastDrain"] or {}).get("StartedAt")
    reply = api.node.drain_node_with_spec(pair.a, {"Deadline": 0, "IgnoreSystemJobs": True})
    assert reply["NodeModifyIndex"] > 0
    # Nothing runs on the node: the drain completes at once, and the node stays ineligible.
    done = wait_until(lambda: (n := node(pair.http, pair.a))["LastDrain"]["Status"]
                      == "complete" and n["LastDrain"]["StartedAt"] != before and n, 30,
                      what="drain complete")
    assert (done["DrainStrategy"], done["SchedulingEligibility"]) == (None, "ineligible")
    api.node.drain_node_with_spec(pair.a, None, mark_eligible=True)
    after = node(pair.http, pair.a)
    assert (after["Drain"], after["SchedulingEligibility"]) == (False, "eligible")
    assert api.node.evaluate_node(pair.a)["NodeModifyIndex"] >= 0
