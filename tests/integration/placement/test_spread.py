"""Placement preferences against real agents: one server, two clients.

A group of four with `spread { target "client1" { percent = 75 } target "client2"
{ percent = 25 } }` lands 3 + 1 (without the spread, job anti-affinity would make it
2 + 2), and `alloc status -verbose` prints the scores in Nomad's Placement Metrics
table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.clusters import server_and_clients
from tests.e2e.cli import caravan

pytestmark = pytest.mark.integration

JOB = '''job "spread" {
  datacenters = ["dc1"]
  affinity {
    attribute = "${attr.kernel.name}"
    value     = "linux"
    weight    = 40
  }
  group "web" {
    count = 4
    spread {
      attribute = "${node.unique.name}"
      weight    = 100
      target "client1" { percent = 75 }
      target "client2" { percent = 25 }
    }
    task "main" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "sleep 300"]
      }
      kill_timeout = "1s"
      resources {
        cpu    = 100
        memory = 32
      }
    }
  }
}
'''


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[AgentProcess]:
    with server_and_clients(tmp_path, ("client1", "client2"), nodes_timeout_s=20) as agents:
        yield agents[0]


def _get(agent: AgentProcess, path: str) -> Any:
    return httpx.get(f"{agent.address}{path}", timeout=10).json()


def test_spread_targets_split_a_group_three_to_one(cluster: AgentProcess,
                                                   tmp_path: Path) -> None:
    server = cluster
    jobfile = tmp_path / "spread.nomad.hcl"
    jobfile.write_text(JOB)
    run = caravan(server, "job", "run", "-detach", str(jobfile))
    assert run.returncode == 0, run.stdout + run.stderr
    allocs = wait_until(lambda: len(found := _get(server, "/v1/job/spread/allocations")) == 4
                        and found, 30, what="4 allocations")
    names = {n["ID"]: n["Name"] for n in _get(server, "/v1/nodes")}
    assert Counter(names[a["NodeID"]] for a in allocs) == {"client1": 3, "client2": 1}

    stored = _get(server, "/v1/job/spread")
    assert stored["TaskGroups"][0]["Spreads"] == [{
        "Attribute": "${node.unique.name}", "Weight": 100,
        "SpreadTarget": [{"Value": "client1", "Percent": 75},
                         {"Value": "client2", "Percent": 25}]}]
    assert stored["Affinities"] == [{"LTarget": "${attr.kernel.name}", "RTarget": "linux",
                                     "Operand": "=", "Weight": 40}]

    first = next(a for a in allocs if a["Name"] == "spread.web[0]")
    status = caravan(server, "alloc", "status", "-verbose", first["ID"])
    assert status.returncode == 0, status.stdout + status.stderr
    metrics = status.stdout.split("Placement Metrics", 1)[1]
    header = metrics.strip().splitlines()[0].split()
    assert header == ["Node", "allocation-spread", "binpack", "job-anti-affinity",
                      "node-affinity", "node-reschedule-penalty", "final", "score"]
    rows = {line.split()[0]: line.split() for line in metrics.strip().splitlines()[1:]}
    client1 = next(i for i, n in names.items() if n == "client1")
    # the first placement: client1 wants 3 of 4, so (3 - 1) / 3 of the spread weight
    assert rows[client1][1] == "0.667" and rows[client1][4] == "1"

    stop = caravan(server, "job", "stop", "-purge", "spread")
    assert stop.returncode == 0, stop.stdout + stop.stderr
