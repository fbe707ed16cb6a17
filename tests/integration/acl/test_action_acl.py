"""ACLs of job actions (`/v1/job/<id>/action`) and `alloc exec -u`: the exec channel's own
rules, `alloc-exec` plus `alloc-node-exec` for raw_exec, in the allocation's namespace."""

from __future__ import annotations

import pytest

from caravan.ids import random_id
from tests.integration.acl.cluster import TEAM_A, Cluster, _running_alloc
from tests.integration.exec_more.wsexec import ws_exec
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

EXEC = 'namespace "default" {\n  capabilities = ["alloc-exec"]\n}\n'
BOTH = 'namespace "default" {\n  capabilities = ["alloc-exec", "alloc-node-exec"]\n}\n'
READ = 'namespace "default" {\n  policy = "read"\n}\n'


@pytest.fixture(scope="module")
def acted(cluster: Cluster) -> str:
    body = raw_exec_job("acted", args=["-c", "exec sleep 3600"])
    body["Job"]["TaskGroups"][0]["Tasks"][0]["Actions"] = [
        {"Name": "hi", "Command": "/bin/echo", "Args": ["hi"]}]
    assert cluster.root.put("/v1/jobs", json=body).status_code == 200
    return _running_alloc(cluster.root, "acted", "default")


def _action(cluster: Cluster, alloc: str, secret: str) -> tuple[str, int | None, str]:
    return ws_exec(cluster.agent.address, "/v1/job/acted/action",
                   {"action": "hi", "allocID": alloc, "task": "main", "group": "main"}, secret)


def test_an_action_needs_what_exec_needs(cluster: Cluster, acted: str) -> None:
    assert _action(cluster, acted, cluster.token(BOTH)) == ("ok", 0, "hi\n")
    # raw_exec: alloc-exec alone is not enough, as for `alloc exec`.
    assert _action(cluster, acted, cluster.token(EXEC)) == ("closed", None, "Permission denied")
    # read-job (which lists the actions) does not run them.
    assert _action(cluster, acted, cluster.token(READ)) == ("http", 403, "Permission denied")
    assert _action(cluster, acted, "") == ("http", 403, "Permission denied")
    assert _action(cluster, acted, random_id())[2] == "ACL token not found"
    # Capabilities in another namespace do not reach this allocation.
    assert _action(cluster, acted, cluster.token(TEAM_A)) == \
        ("closed", None, "Permission denied")


def test_actions_list_needs_only_read_job(cluster: Cluster, acted: str) -> None:
    with cluster.agent.http(cluster.token(READ)) as http:
        listed = http.get("/v1/job/acted/actions")
    assert listed.status_code == 200 and [a["Name"] for a in listed.json()] == ["hi"]


def test_exec_as_user_is_refused_before_the_user_is_looked_at(cluster: Cluster,
                                                               acted: str) -> None:
    """`-u` without alloc-node-exec on a raw_exec task: the ACL answers, not the allow list."""
    query = {"task": "main", "command": '["id"]', "user": "daemon"}
    path = f"/v1/client/allocation/{acted}/exec"
    assert ws_exec(cluster.agent.address, path, query, cluster.token(EXEC)) == \
        ("closed", None, "Permission denied")
    allowed = ws_exec(cluster.agent.address, path, query, cluster.token(BOTH))
    assert allowed[0] == "closed" and "allow_exec_users" in allowed[2]
