"""`caravan server members` against one dev agent (the cluster case: tests/cluster_etcd)."""

from __future__ import annotations

import json

import pytest

from tests.agents import AgentProcess
from tests.e2e.cli import caravan

pytestmark = pytest.mark.integration


def test_one_server_lists_itself_as_the_leader(dev_agent: AgentProcess) -> None:
    out = caravan(dev_agent, "server", "members")
    assert out.returncode == 0, out.stderr
    header, *rows = out.stdout.splitlines()
    assert header.split() == ["Name", "Address", "Port", "Status", "Leader", "Raft", "Version",
                              "Build", "Datacenter", "Region"]
    assert len(rows) == 1
    name, addr, _, status, leader, raft, *_, dc, region = rows[0].split()
    assert (name, addr, status, leader, raft, dc, region) == (
        "dev.global", "127.0.0.1", "alive", "true", "3", "dc1", "global")
    as_json = json.loads(caravan(dev_agent, "server", "members", "-json").stdout)
    assert [m["Name"] for m in as_json] == ["dev.global"]


def test_server_members_takes_no_arguments(dev_agent: AgentProcess) -> None:
    out = caravan(dev_agent, "server", "members", "extra")
    assert out.returncode == 1 and "takes no arguments" in out.stderr.lower()
