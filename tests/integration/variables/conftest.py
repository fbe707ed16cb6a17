"""An ACL-enabled agent with two raw_exec jobs whose tasks carry workload identities."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.agents import wait_until
from tests.integration.acl.cluster import ACL_ON, AclAgent, _running_alloc
from tests.integration.jobs import raw_exec_job


@dataclass
class VarCluster:
    agent: AclAgent
    root: httpx.Client
    web_alloc: str     # job "web", group "main", task "main"
    other_alloc: str   # job "other"

    def token_of(self, alloc_id: str) -> str:
        """The task's identity as the agent wrote it to secrets/nomad_token."""
        path = self.agent.data_dir / "alloc" / alloc_id / "main" / "secrets" / "nomad_token"
        return str(wait_until(lambda: path.is_file() and path.read_text(), 30,
                              what=f"{path}"))

    def policy_token(self, name: str, rules: str) -> str:
        reply = self.root.put(f"/v1/acl/policy/{name}", json={"Name": name, "Rules": rules})
        assert reply.status_code == 200, reply.text
        token = self.root.put("/v1/acl/token", json={"Type": "client", "Policies": [name]})
        assert token.status_code == 200, token.text
        return str(token.json()["SecretID"])


def identity_job(job_id: str, **identity: object) -> dict[str, object]:
    body = raw_exec_job(job_id)
    task = body["Job"]["TaskGroups"][0]["Tasks"][0]  # type: ignore[index]
    task["Identity"] = {"Env": True, "File": True, **identity}
    return body


@pytest.fixture(scope="module")
def var_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VarCluster]:
    agent = AclAgent(root=Path(tmp_path_factory.mktemp("vars")), name="vars", config=ACL_ON)
    try:
        agent.start(timeout_s=60)
        with agent.http(agent.root_secret) as root:
            for job_id in ("web", "other"):
                reply = root.put("/v1/jobs", json=identity_job(job_id))
                assert reply.status_code == 200, reply.text
            yield VarCluster(agent, root, _running_alloc(root, "web", "default"),
                             _running_alloc(root, "other", "default"))
    finally:
        agent.stop()
