"""ACLs on the exec WebSocket: alloc-exec, alloc-node-exec for raw_exec, and namespaces."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from caravan.ids import random_id
from tests.integration.acl.cluster import (
    _rules_lacking,
    Case,
    Cluster,
    TEAM_A,
    _register,
    _running_alloc,
)

pytestmark = pytest.mark.integration


# ---- exec --------------------------------------------------------------------------------


def _exec(cluster: Cluster, secret: str, alloc_id: str,
          command: list[str]) -> tuple[str, int | None, str]:
    """("ok", exit code, stdout), or ("denied", None, reason) however the agent refused."""
    query = urlencode({"task": "main", "command": json.dumps(command), "tty": "false"})
    url = cluster.agent.address.replace("http://", "ws://", 1) + \
        f"/v1/client/allocation/{alloc_id}/exec?{query}"
    out = b""
    try:
        with connect(url, additional_headers={"X-Nomad-Token": secret}, open_timeout=10,
                     close_timeout=5) as ws:
            ws.send(json.dumps({"stdin": {"close": True}}))
            while True:
                frame = json.loads(ws.recv(timeout=30))
                out += base64.b64decode(frame.get("stdout", {}).get("data", "") or "")
                if frame.get("exited"):
                    return "ok", frame.get("result", {}).get("exit_code", 0), out.decode()
    except InvalidStatus as e:
        return "denied", None, e.response.body.decode(errors="replace").strip()
    except ConnectionClosed as e:
        return "denied", None, e.rcvd.reason if e.rcvd is not None else ""


def test_exec_into_raw_exec_needs_alloc_exec_and_alloc_node_exec(cluster: Cluster) -> None:
    only_exec = cluster.token('namespace "default" {\n  capabilities = ["alloc-exec"]\n}\n')
    both = cluster.token('namespace "default" {\n  capabilities = ["alloc-exec", '
                         '"alloc-node-exec"]\n}\n')
    write = cluster.token('namespace "default" {\n  policy = "write"\n}\n')
    hello = ["/bin/echo", "hello"]
    assert _exec(cluster, only_exec, cluster.web_alloc, hello) == ("denied", None,
                                                                   "Permission denied")
    assert _exec(cluster, write, cluster.web_alloc, hello)[0] == "denied"  # not in `write`
    assert _exec(cluster, both, cluster.web_alloc, hello) == ("ok", 0, "hello\n")
    node_exec_only = cluster.token('namespace "default" {\n  capabilities = '
                                   '["alloc-node-exec"]\n}\n')
    assert _exec(cluster, node_exec_only, cluster.web_alloc, hello)[0] == "denied"
    assert _exec(cluster, random_id(), cluster.web_alloc, hello) == ("denied", None,
                                                                     "ACL token not found")


def test_exec_into_an_exec_task_needs_only_alloc_exec(cluster: Cluster) -> None:
    nodes = cluster.root.get(f"/v1/node/{cluster.node_id}").json()
    exec_driver = (nodes.get("Drivers") or {}).get("exec") or {}
    if not (exec_driver.get("Detected") and exec_driver.get("Healthy")):
        pytest.skip("the exec driver is not healthy on this node")
    _register(cluster.root, "isolated", driver="exec")
    alloc = _running_alloc(cluster.root, "isolated", "default")
    only_exec = cluster.token('namespace "default" {\n  capabilities = ["alloc-exec"]\n}\n')
    assert _exec(cluster, only_exec, alloc, ["/bin/echo", "inside"]) == ("ok", 0, "inside\n")
    lacking = cluster.token(_rules_lacking(Case("", "", "", ("alloc-exec",))))
    assert _exec(cluster, lacking, alloc, ["/bin/echo", "inside"])[0] == "denied"


# ---- namespace isolation -----------------------------------------------------------------


def test_exec_across_namespaces_is_refused(cluster: Cluster) -> None:
    result = _exec(cluster, cluster.token(TEAM_A), cluster.other_alloc, ["/bin/true"])
    assert result == ("denied", None, "Permission denied")


# ---- bootstrap, expiry, node secrets -----------------------------------------------------
