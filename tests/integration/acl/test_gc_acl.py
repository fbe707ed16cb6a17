"""Garbage collection routes under ACLs: `/v1/system/gc` needs a management token,
`/v1/client/gc` `node:write`, `/v1/client/allocation/<id>/gc` `submit-job` in the
allocation's namespace (Nomad's rules)."""

from __future__ import annotations

import pytest

from tests.integration.acl.cluster import Cluster

pytestmark = pytest.mark.integration

EVERYTHING_BUT_MANAGEMENT = '''namespace "*" {
  policy = "write"
}
node {
  policy = "write"
}
agent {
  policy = "write"
}
operator {
  policy = "write"
}
'''
NAMESPACE_WRITE = 'namespace "*" {\n  policy = "write"\n}\n'
NODE_WRITE = 'node {\n  policy = "write"\n}\n'
READ_ONLY = 'namespace "*" {\n  policy = "read"\n}\n'


def test_system_gc_needs_a_management_token(cluster: Cluster) -> None:
    agent = cluster.agent
    with agent.http(cluster.token(EVERYTHING_BUT_MANAGEMENT)) as http:
        assert http.put("/v1/system/gc").status_code == 403
    with agent.http(None) as anonymous:
        assert anonymous.put("/v1/system/gc").status_code == 403
    assert cluster.root.put("/v1/system/gc").status_code == 200


def test_client_gc_needs_node_write(cluster: Cluster) -> None:
    agent = cluster.agent
    with agent.http(cluster.token(NAMESPACE_WRITE)) as http:
        assert http.put("/v1/client/gc").status_code == 403
    with agent.http(cluster.token(NODE_WRITE)) as http:
        assert http.put("/v1/client/gc").status_code == 200


def test_alloc_gc_needs_submit_job(cluster: Cluster) -> None:
    agent = cluster.agent
    path = f"/v1/client/allocation/{cluster.web_alloc}/gc"
    with agent.http(cluster.token(READ_ONLY)) as http:
        assert http.put(path).status_code == 403
    with agent.http(cluster.token(NAMESPACE_WRITE)) as http:
        refused = http.put(path)   # allowed, but the alloc is running
        assert refused.status_code == 400 and "still running" in refused.text
