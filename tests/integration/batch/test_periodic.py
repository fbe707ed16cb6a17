"""Periodic jobs against real agents: children `<job>/periodic-<unix>` launched on time,
`prohibit_overlap`, `job periodic force`, and a server restart that neither launches a
child twice nor skips a missed launch silently."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from caravan.jobspec import parse_json
from caravan.server.periodic import launches
from caravan.server.state import SqliteBackend, StateStore
from caravan.structs import canonicalize
from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


def periodic_job(job_id: str, crons: list[str], *, overlap: bool = False,
                 script: str = "true") -> dict[str, Any]:
    body = raw_exec_job(job_id, job_type="batch", args=["-c", script])
    body["Job"]["Periodic"] = {"Specs": crons, "ProhibitOverlap": not overlap}
    return body


def children(http: httpx.Client, job_id: str) -> list[dict[str, Any]]:
    stubs = http.get("/v1/jobs", params={"prefix": f"{job_id}/periodic-"}).json()
    return sorted((s for s in stubs if s["ParentID"] == job_id), key=lambda s: s["ID"])


def launch_of(child_id: str) -> int:
    return int(child_id.rpartition("/periodic-")[2])


def run_interval(http: httpx.Client, child_id: str) -> tuple[float, float] | None:
    """(started, finished) of the child's task, once it has finished."""
    allocs = http.get(f"/v1/job/{child_id}/allocations").json()
    if not allocs or allocs[0]["ClientStatus"] != "complete":
        return None
    state = allocs[0]["TaskStates"]["main"]
    return (datetime.fromisoformat(state["StartedAt"][:26] + "+00:00").timestamp(),
            datetime.fromisoformat(state["FinishedAt"][:26] + "+00:00").timestamp())


def finished_runs(http: httpx.Client, job_id: str, wanted: int) -> list[tuple[float, float]]:
    """The run intervals of the job's finished children, once there are `wanted`."""
    runs = [run for c in children(http, job_id) if (run := run_interval(http, c["ID"]))]
    return runs if len(runs) >= wanted else []


@pytest.fixture(scope="module")
def http(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=10) as client:
        yield client


def test_children_launch_on_time_and_never_overlap(http: httpx.Client) -> None:
    reply = http.post("/v1/jobs", json=periodic_job("every-sec", ["* * * * * * *"],
                                                    script="sleep 2")).json()
    assert reply["EvalID"] == ""  # the parent itself is never scheduled
    done = wait_until(lambda: finished_runs(http, "every-sec", 3), timeout_s=60,
                      what="three children ran")
    http.delete("/v1/job/every-sec")
    ordered = sorted(done)
    for (_, first_end), (second_start, _) in zip(ordered, ordered[1:]):
        assert second_start >= first_end, "prohibit_overlap: a child started while one ran"
    parent = http.get("/v1/job/every-sec").json()
    assert parent["Status"] == "dead" and parent["Stop"] is True
    assert http.get("/v1/job/every-sec/allocations").json() == []
    kids = children(http, "every-sec")
    assert all(c["Periodic"] is False and c["Type"] == "batch" for c in kids)
    summary = http.get("/v1/job/every-sec/summary").json()["Children"]
    assert summary["Pending"] + summary["Running"] + summary["Dead"] == len(kids)


def test_force_launches_now_and_refuses_what_is_not_periodic(http: httpx.Client) -> None:
    # A spec that never comes in this test: only a forced launch makes a child.
    http.post("/v1/jobs", json=periodic_job("yearly", ["@yearly"]))
    before = time.time()
    r = http.put("/v1/job/yearly/periodic/force")
    assert r.status_code == 200 and r.json()["EvalID"]
    [child] = children(http, "yearly")
    assert launch_of(child["ID"]) >= int(before)
    ev = http.get(f"/v1/evaluation/{r.json()['EvalID']}").json()
    assert (ev["JobID"], ev["TriggeredBy"]) == (child["ID"], "periodic-job")
    http.post("/v1/jobs", json=raw_exec_job("plain", job_type="batch", args=["-c", "true"]))
    r = http.put("/v1/job/plain/periodic/force")
    assert (r.status_code, r.text) == (400, "can't force launch non-periodic job")
    assert http.put("/v1/job/nowhere/periodic/force").status_code == 404
    assert http.get("/v1/job/yearly/periodic/force").status_code == 405
    http.delete("/v1/job/yearly")
    r = http.put("/v1/job/yearly/periodic/force")
    assert r.status_code == 400 and "stopped" in r.text


def test_bad_periodic_blocks_are_refused(http: httpx.Client) -> None:
    service = periodic_job("svc", ["@hourly"])
    service["Job"]["Type"] = "service"
    r = http.post("/v1/jobs", json=service)
    assert r.status_code == 400 and "Periodic can only be used with" in r.text
    for spec, words in (("61 * * * *", "Invalid cron spec"), ("* *", "Invalid cron spec")):
        r = http.post("/v1/jobs", json=periodic_job("bad", [spec]))
        assert r.status_code == 400 and words in r.text, r.text
    zone = periodic_job("tz", ["@hourly"])
    zone["Job"]["Periodic"]["TimeZone"] = "Mars/Olympus"
    r = http.post("/v1/jobs", json=zone)
    assert r.status_code == 400 and 'Invalid time zone "Mars/Olympus"' in r.text
    assert http.get("/v1/job/bad").status_code == 404


def _server_only(root: Path) -> AgentProcess:
    return AgentProcess(root=root, name="server", dev=False, client=False)


def _stored_while_down(data_dir: Path, spec: str, last_launch: datetime) -> None:
    """A periodic job whose last launch is long past, written as the server left it: the
    server was down when the next launch came (the store itself writes the real file)."""
    store = StateStore(SqliteBackend(data_dir / "server" / "state.db"))
    job = canonicalize(parse_json(json.dumps(periodic_job("nightly", [spec], overlap=True))))
    job.submit_time = int(last_launch.timestamp()) * 1_000_000_000
    txn = store.begin(time.time_ns())
    txn.jobs.append(job)
    launches.put(txn, job, last_launch)
    store.commit(txn)
    store.close()


def test_a_restart_catches_up_once_and_never_launches_twice(tmp_path: Path) -> None:
    """Down at a launch time, the server launches once at its next start, as of then, not
    once per missed launch; killed and started again, it launches nothing more."""
    agent = _server_only(tmp_path)
    # New Year at midnight UTC: missed twice since the last launch, next one months away.
    _stored_while_down(agent.data_dir, "0 0 0 1 1 * *",
                       datetime.now(timezone.utc) - timedelta(days=800))
    started = int(time.time())
    agent.start()
    try:
        with httpx.Client(base_url=agent.address, timeout=10) as http:
            [caught_up] = wait_until(lambda: children(http, "nightly"), what="a catch-up")
            assert launch_of(caught_up["ID"]) >= started
            agent.kill()
            agent.start()
            # A force in the catch-up's second would name the same child: wait one out.
            launched = launch_of(caught_up["ID"])
            wait_until(lambda: time.time() >= launched + 1, what="the next second")
            forced = http.put("/v1/job/nightly/periodic/force").json()["EvalID"]
            ids = [c["ID"] for c in children(http, "nightly")]
            assert len(ids) == 2 and caught_up["ID"] in ids, ids
            # (a child's eval blocks, as no client runs here, and gets followers: count
            # the launches only)
            evals = http.get(f"/v1/job/{caught_up['ID']}/evaluations").json()
            launched_by = [e["ID"] for e in evals if e["TriggeredBy"] == "periodic-job"]
            assert len(launched_by) == 1 and forced not in launched_by
    finally:
        agent.stop()


def test_the_cli_shows_next_launch_and_children(dev_agent: AgentProcess, tmp_path: Path,
                                                http: httpx.Client) -> None:
    path = tmp_path / "report.nomad.hcl"
    path.write_text('''job "report" {
  type = "batch"
  periodic {
    crons            = ["0 0 0 1 1 * *"]
    prohibit_overlap = true
  }
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
    }
  }
}
''')
    ran = caravan(dev_agent, "job", "run", str(path))
    assert ran.returncode == 0, ran.stderr
    year = datetime.now(timezone.utc).year + 1
    assert ran.stdout.startswith("Job registration successful\nApproximate next launch time: "
                                 f"{year}-01-01T00:00:00Z (")
    forced = caravan(dev_agent, "job", "periodic", "force", "-detach", "report")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.startswith("Force periodic successful\nEvaluation ID: ")
    [child] = children(http, "report")
    status = caravan(dev_agent, "job", "status", "report")
    assert status.returncode == 0, status.stderr
    assert f"Next Periodic Launch = {year}-01-01T00:00:00Z (" in status.stdout
    assert "Children Job Summary\nPending  Running  Dead\n" in status.stdout
    assert f"Previously Launched Jobs\nID{' ' * len(child['ID'])}Status\n{child['ID']}  " \
        in status.stdout
    missing = caravan(dev_agent, "job", "periodic", "force", "nothing-here")
    assert (missing.returncode, missing.stderr.strip()) == (
        1, 'No periodic job(s) with prefix or ID "nothing-here" found')
    caravan(dev_agent, "job", "stop", "report")
    stopped = caravan(dev_agent, "job", "status", "-short", "report")
    assert "Next Periodic Launch = none (job stopped)" in stopped.stdout
