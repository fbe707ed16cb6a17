"""ACLs on `alloc debug`: exec's, since a debug copy is exec by other means: `alloc-exec` in
the allocation's namespace, and `alloc-node-exec` too for raw_exec (a host process)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from caravan.ids import random_id
from tests.agents import wait_until
from tests.integration.acl.cluster import ACL_ON, AclAgent, _rules_lacking, Case
from tests.integration.alloc_debug.conftest import crashed_job, debug, raw_crashed_job

pytestmark = pytest.mark.integration

ECHO = ["/bin/echo", "inside"]


@dataclass
class AclAllocs:
    agent: AclAgent
    root: httpx.Client
    crashed: str   # exec, failed
    raw: str       # raw_exec, failed
    _tokens: dict[str, str]

    def token(self, capabilities: str, namespace: str = "default") -> str:
        rules = f'namespace "{namespace}" {{\n  capabilities = [{capabilities}]\n}}\n'
        return self.rules_token(rules)

    def rules_token(self, rules: str) -> str:
        if rules not in self._tokens:
            name = f"p-{len(self._tokens)}"
            assert self.root.put(f"/v1/acl/policy/{name}",
                                 json={"Name": name, "Rules": rules}).status_code == 200
            reply = self.root.put("/v1/acl/token", json={"Type": "client", "Policies": [name]})
            self._tokens[rules] = reply.json()["SecretID"]
        return self._tokens[rules]


def _failed_alloc(root: httpx.Client, job: dict[str, Any]) -> str:
    assert root.put("/v1/jobs", json=job).status_code == 200
    job_id = job["Job"]["ID"]

    def failed() -> str | None:
        allocs = root.get(f"/v1/job/{job_id}/allocations").json()
        return next((a["ID"] for a in allocs if a["ClientStatus"] == "failed"), None)

    return str(wait_until(failed, 60, what=f"a failed alloc of {job_id}"))


@pytest.fixture(scope="module")
def acl_allocs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclAllocs]:
    agent = AclAgent(root=tmp_path_factory.mktemp("debug-acl"), name="debug-acl", config=ACL_ON)
    try:
        agent.start(timeout_s=60)
        with agent.http(agent.root_secret) as root:
            assert root.put("/v1/namespace/team-b", json={"Name": "team-b"}).status_code == 200
            yield AclAllocs(agent, root, _failed_alloc(root, crashed_job("crashed")),
                            _failed_alloc(root, raw_crashed_job("raw")), {})
    finally:
        agent.stop()


def test_a_copy_of_an_exec_task_needs_alloc_exec(acl_allocs: AclAllocs) -> None:
    a = acl_allocs
    assert debug(a.agent, a.crashed, ECHO, token=a.token('"alloc-exec"')) == \
        ("ok", 0, "inside\n")
    lacking = a.rules_token(_rules_lacking(Case("", "", "", ("alloc-exec",))))
    assert debug(a.agent, a.crashed, ECHO, token=lacking)[0] == "denied"
    assert debug(a.agent, a.crashed, ECHO, token=a.token('"alloc-exec"', "team-b")) == \
        ("denied", None, "Permission denied")
    assert debug(a.agent, a.crashed, ECHO, token=a.rules_token(
        'namespace "default" {\n  policy = "read"\n}\n'))[0] == "denied"


def test_a_copy_of_a_raw_exec_task_needs_alloc_node_exec_too(acl_allocs: AclAllocs) -> None:
    a = acl_allocs
    assert debug(a.agent, a.raw, ECHO, token=a.token('"alloc-exec"')) == \
        ("denied", None, "Permission denied")
    assert debug(a.agent, a.raw, ECHO, token=a.token('"alloc-node-exec"'))[0] == "denied"
    assert debug(a.agent, a.raw, ECHO, token=a.token('"alloc-exec", "alloc-node-exec"')) == \
        ("ok", 0, "inside\n")


def test_no_token_or_an_unknown_one_learns_nothing(acl_allocs: AclAllocs) -> None:
    a = acl_allocs
    assert debug(a.agent, a.crashed, ECHO) == ("denied", None, "Permission denied")
    assert debug(a.agent, a.crashed, ECHO, token=random_id()) == \
        ("denied", None, "ACL token not found")
    # Whether an allocation exists is not for a caller without alloc-exec to learn.
    unknown = "0" * 8 + a.crashed[8:]
    assert debug(a.agent, unknown, ECHO, token=a.token('"alloc-exec"', "team-b")) == \
        debug(a.agent, a.crashed, ECHO, token=a.token('"alloc-exec"', "team-b"))
