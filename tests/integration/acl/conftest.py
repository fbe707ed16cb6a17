"""The ACL-enabled agent shared by the ACL test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.acl.cluster import ACL_ON, AclAgent, Cluster, _register, _running_alloc


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    agent = AclAgent(root=tmp_path_factory.mktemp("acl"), name="acl", config=ACL_ON)
    try:
        agent.start(timeout_s=60)
        with agent.http(agent.root_secret) as root:
            for ns in ("team-a", "team-b"):
                assert root.put(f"/v1/namespace/{ns}", json={"Name": ns}).status_code == 200
            _register(root, "web")
            _register(root, "other", "team-b")
            node_id, _ = agent.node_secret()
            yield Cluster(agent, root, _running_alloc(root, "web", "default"),
                          _running_alloc(root, "other", "team-b"), node_id)
    finally:
        agent.stop()
