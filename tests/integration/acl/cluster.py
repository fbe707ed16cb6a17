"""Shared pieces of the ACL tests: an ACL-enabled agent, the cluster it serves, helpers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from caravan.acl.capabilities import NAMESPACE_CAPABILITIES
from caravan.ids import random_id
from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job


ACL_ON = "acl {\n  enabled = true\n}\n"


@dataclass
class AclAgent(AgentProcess):
    """An agent with ACLs on; readiness is checked with the bootstrap token it creates."""

    root_secret: str = field(default_factory=random_id)
    bootstrap: bool = True

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        wait_until(self._leader_known, timeout_s, what=f"agent {self.name} HTTP")
        if not self.bootstrap:
            return
        reply = httpx.post(f"{self.address}/v1/acl/bootstrap",
                           json={"BootstrapSecret": self.root_secret}, timeout=10)
        assert reply.status_code == 200, reply.text
        wait_until(self._node_ready_with_token, max(1.0, deadline - time.monotonic()),
                   what=f"agent {self.name} node ready")

    def _leader_known(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"agent exited with {self.proc.returncode}:\n{self.logs()}")
        try:
            return httpx.get(f"{self.address}/v1/status/leader", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def _node_ready_with_token(self) -> bool:
        with self.http(self.root_secret) as http:
            nodes = http.get("/v1/nodes").json()
        return any(n["Status"] == "ready" for n in nodes)

    def http(self, secret: str | None) -> httpx.Client:
        headers = {"X-Nomad-Token": secret} if secret else {}
        return httpx.Client(base_url=self.address, headers=headers, timeout=30)

    def node_secret(self) -> tuple[str, str]:
        client_dir = self.data_dir / "client"
        return ((client_dir / "node-id").read_text().strip(),
                (client_dir / "node-secret").read_text().strip())


@dataclass
class Cluster:
    agent: AclAgent
    root: httpx.Client
    web_alloc: str            # raw_exec job "web" in namespace default
    other_alloc: str          # raw_exec job "other" in namespace team-b
    node_id: str
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, rules: str) -> str:
        """The secret of a client token whose one policy is `rules` (made once per rules)."""
        if rules not in self._tokens:
            name = f"p-{len(self._tokens)}"
            reply = self.root.put(f"/v1/acl/policy/{name}", json={"Name": name, "Rules": rules})
            assert reply.status_code == 200, reply.text
            token = self.root.put("/v1/acl/token", json={"Type": "client", "Policies": [name]})
            assert token.status_code == 200, token.text
            self._tokens[rules] = token.json()["SecretID"]
        return self._tokens[rules]


def _running_alloc(root: httpx.Client, job_id: str, namespace: str) -> str:
    def running() -> str | None:
        allocs = root.get(f"/v1/job/{job_id}/allocations",
                          params={"namespace": namespace}).json()
        return next((a["ID"] for a in allocs if a["ClientStatus"] == "running"), None)

    return str(wait_until(running, 60, what=f"a running alloc of {namespace}/{job_id}"))


def _register(root: httpx.Client, job_id: str, namespace: str = "default",
              driver: str = "raw_exec") -> None:
    body = raw_exec_job(job_id)
    body["Job"]["Namespace"] = namespace
    if driver != "raw_exec":
        body["Job"]["TaskGroups"][0]["Tasks"][0]["Driver"] = driver
    reply = root.put("/v1/jobs", json=body, params={"namespace": namespace})
    assert reply.status_code == 200, reply.text


# A team-a token that may also exec into raw_exec tasks (alloc-node-exec is in no shorthand).
TEAM_A = 'namespace "team-a" {\n  policy = "write"\n  capabilities = ["alloc-node-exec"]\n}\n'


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str                         # may use {web_alloc}, {node_id}
    needs: tuple[str, ...]            # namespace capabilities, or coarse rules like node:read
    body: Callable[[], Any] | None = None
    # Capabilities that would also satisfy the route: left out of the "everything else" token.
    also: tuple[str, ...] = ()


def _rules_lacking(case: Case) -> str:
    """Every namespace capability but the ones that would satisfy `case`, plus the coarse
    policies it does not need (so a pass would mean the route checks the wrong thing)."""
    left_out = set(case.needs) | set(case.also) | {"deny"}
    caps = sorted(NAMESPACE_CAPABILITIES - left_out)
    rules = f'namespace "*" {{\n  capabilities = {json.dumps(caps)}\n}}\n'
    for kind in ("node", "agent", "operator"):
        if not any(n.startswith(kind + ":") for n in case.needs):
            rules += f'{kind} {{\n  policy = "write"\n}}\n'
    return rules
