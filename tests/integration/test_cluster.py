"""One server and two clients on one machine: spreading, restarts, a crashed client."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[AgentProcess, AgentProcess, AgentProcess]]:
    server = AgentProcess(root=tmp_path, name="server", dev=False, client=False)
    started: list[AgentProcess] = []
    try:
        started.append(server.start())
        addr = server.address.removeprefix("http://")
        for name in ("client1", "client2"):
            # dev=True: on stop the client destroys its allocations, so no task outlives the test
            client = AgentProcess(root=tmp_path, name=name, server=False, servers=[addr])
            started.append(client.start())
        wait_until(lambda: len(_get(server, "/v1/nodes")) == 2, 20, what="two nodes")
        yield server, started[1], started[2]
    finally:
        for agent in reversed(started):
            agent.stop()


def _get(agent: AgentProcess, path: str) -> list[dict]:  # type: ignore[type-arg]
    return httpx.get(f"{agent.address}{path}", timeout=10).json()  # type: ignore[no-any-return]


def _running(server: AgentProcess, job_id: str) -> list[dict]:  # type: ignore[type-arg]
    return [a for a in _get(server, f"/v1/job/{job_id}/allocations")
            if a["ClientStatus"] == "running" and a["DesiredStatus"] == "run"]


def test_count_four_spreads_across_clients_via_cli(
        cluster: tuple[AgentProcess, AgentProcess, AgentProcess], tmp_path: Path) -> None:
    server, _, _ = cluster
    jobfile = tmp_path / "spread.nomad.hcl"
    jobfile.write_text('''job "spread" {
  datacenters = ["dc1"]
  group "web" {
    count = 4
    task "main" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo up; sleep 300"]
      }
      kill_timeout = "1s"
      resources {
        cpu    = 100
        memory = 32
      }
    }
  }
}
''')
    run = subprocess.run([CARAVAN, "job", "run", str(jobfile)], env=server.env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("created: node") == 4
    allocs = wait_until(lambda: len(_running(server, "spread")) == 4 and
                        _running(server, "spread"), 30, what="4 running allocs")
    assert len({a["NodeID"] for a in allocs}) == 2
    status = subprocess.run([CARAVAN, "job", "status", "spread"], env=server.env,
                            capture_output=True, text=True, timeout=30)
    assert status.returncode == 0 and status.stdout.count("running") >= 4


def test_sigkilled_client_is_marked_down_and_its_allocs_replaced(
        cluster: tuple[AgentProcess, AgentProcess, AgentProcess]) -> None:
    server, client1, client2 = cluster
    httpx.post(f"{server.address}/v1/jobs", json=raw_exec_job("survivor", count=2)).raise_for_status()
    allocs = wait_until(lambda: len(_running(server, "survivor")) == 2 and
                        _running(server, "survivor"), 30, what="2 running")
    node_of = {n["Name"]: n["ID"] for n in _get(server, "/v1/nodes")}
    victim = client1 if any(a["NodeID"] == node_of["client1"] for a in allocs) else client2
    victim_node = node_of[victim.name]
    victim.kill()
    wait_until(lambda: next(n for n in _get(server, "/v1/nodes")
                            if n["ID"] == victim_node)["Status"] == "down", 30,
               what="node marked down")
    lost = wait_until(lambda: [a for a in _get(server, "/v1/job/survivor/allocations")
                               if a["NodeID"] == victim_node and a["ClientStatus"] == "lost"],
                      20, what="allocs on the dead node marked lost")
    assert lost
    replaced = wait_until(lambda: len(_running(server, "survivor")) == 2 and
                          _running(server, "survivor"), 30, what="replacements running")
    assert all(a["NodeID"] != victim_node for a in replaced)
    # Bring the crashed client back: it re-attaches, learns its allocs are lost, stops them.
    victim.start()
    wait_until(lambda: all(a["ClientStatus"] in ("lost", "complete", "failed")
                           for a in _get(server, "/v1/job/survivor/allocations")
                           if a["NodeID"] == victim_node), 30, what="old allocs stopped")
    # Stop the job before teardown so no task outlives the test on either client.
    httpx.delete(f"{server.address}/v1/job/survivor").raise_for_status()
    wait_until(lambda: all(a["ClientStatus"] in ("lost", "complete", "failed")
                           for a in _get(server, "/v1/job/survivor/allocations")), 30,
               what="every alloc of the stopped job finished")


def test_server_restart_loses_nothing(tmp_path: Path) -> None:
    server = AgentProcess(root=tmp_path, name="server", dev=False, client=False)
    try:
        server.start()
        for job_id in ("keep-a", "keep-b"):
            r = httpx.post(f"{server.address}/v1/jobs", json=raw_exec_job(job_id, count=3))
            r.raise_for_status()
        # No clients: the evals end blocked with placement failures recorded.
        wait_until(lambda: all(e["Status"] in ("complete", "blocked")
                               for e in _get(server, "/v1/evaluations")), 20, what="evals done")
        before = {path: _get(server, path) for path in
                  ("/v1/jobs", "/v1/evaluations", "/v1/job/keep-a", "/v1/job/keep-a/versions")}
        index_before = httpx.get(f"{server.address}/v1/jobs").headers["X-Nomad-Index"]
        assert server.stop() == 0
        server.start()
        after = {path: _get(server, path) for path in before}
        assert after == before
        assert httpx.get(f"{server.address}/v1/jobs").headers["X-Nomad-Index"] == index_before
        blocked = [e for e in after["/v1/evaluations"] if e["Status"] == "blocked"]
        assert len(blocked) == 2  # still parked, waiting for capacity
    finally:
        server.stop()
