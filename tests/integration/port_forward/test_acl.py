"""ACLs on the port-forward WebSocket: `alloc-port-forward` alone, in the allocation's
namespace; `alloc-exec` does not grant it, and it does not grant exec."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from caravan.api import Client
from caravan.api.errors import APIError
from caravan.api.exec import ExecError, exec_session
from caravan.api.port_forward import PortForwardError, port_forward
from tests.integration.acl.cluster import ACL_ON, AclAgent
from tests.integration.port_forward.servers import forward_job, run_served

pytestmark = pytest.mark.integration


@dataclass
class Secured:
    agent: AclAgent
    alloc: dict[str, Any]
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, rules: str) -> str:
        if rules not in self.tokens:
            name = f"pf-{len(self.tokens)}"
            with self.agent.http(self.agent.root_secret) as root:
                reply = root.put(f"/v1/acl/policy/{name}", json={"Name": name, "Rules": rules})
                assert reply.status_code == 200, reply.text
                token = root.put("/v1/acl/token", json={"Type": "client", "Policies": [name]})
                assert token.status_code == 200, token.text
            self.tokens[rules] = token.json()["SecretID"]
        return self.tokens[rules]


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    agent = AclAgent(root=tmp_path_factory.mktemp("pfacl"), name="pfacl", config=ACL_ON)
    try:
        agent.start(timeout_s=60)
        with agent.http(agent.root_secret) as root:
            assert root.put("/v1/namespace/team-b", json={"Name": "team-b"}).status_code == 200
        yield Secured(agent, run_served(agent, forward_job("sec", "raw_exec"),
                                        {"X-Nomad-Token": agent.root_secret}))
    finally:
        agent.stop()


async def _forward(secured: Secured, secret: str | None) -> str:
    """"ok" with the digest of b"abc", or why the agent refused."""
    try:
        with Client(secured.agent.address, token=secret, env={}) as client:
            async with asyncio.timeout(60), \
                    port_forward(client, secured.alloc["ID"], "digest") as conn:
                await conn.send(b"abc")
                await conn.send_eof()
                answer = b""
                while (data := await conn.recv()) is not None:
                    answer += data
    except APIError as err:
        return f"{err.status} {err.body}"
    except PortForwardError as err:
        return f"closed: {err}"
    assert answer.startswith(b"3 ba7816bf")
    return "ok"


def _policy(capabilities: str, namespace: str = "default") -> str:
    return f'namespace "{namespace}" {{\n  capabilities = [{capabilities}]\n}}\n'


@pytest.mark.parametrize("who, rules, outcome", [
    ("anonymous", None, "403 Permission denied"),
    ("alloc-exec alone", _policy('"alloc-exec", "alloc-node-exec", "read-job"'),
     "403 Permission denied"),
    ("read policy", 'namespace "default" { policy = "read" }', "403 Permission denied"),
    ("alloc-port-forward alone", _policy('"alloc-port-forward"'), "ok"),
    ("write policy", 'namespace "default" { policy = "write" }', "ok"),
    ("alloc-port-forward in another namespace", _policy('"alloc-port-forward"', "team-b"),
     "closed: Permission denied"),
    ("denied namespace", _policy('"alloc-port-forward"') +
     'namespace "default" { policy = "deny" }', "403 Permission denied"),
])
def test_who_may_forward(secured: Secured, who: str, rules: str | None,
                         outcome: str) -> None:
    secret = secured.token(rules) if rules is not None else None
    assert asyncio.run(_forward(secured, secret)) == outcome


def test_an_unknown_token_is_refused(secured: Secured) -> None:
    assert asyncio.run(_forward(secured, "3b5e3d1e-0000-4000-8000-000000000000")) \
        .startswith("403 ")


async def _exec(secured: Secured, secret: str) -> str:
    try:
        with Client(secured.agent.address, token=secret, env={}) as client:
            async with exec_session(client, secured.alloc["ID"], "main", ["true"]) as session:
                async for _ in session:
                    pass
                return f"exit {session.exit_code}"
    except (APIError, ExecError) as err:
        return str(err)


def test_forwarding_does_not_grant_exec(secured: Secured) -> None:
    secret = secured.token(_policy('"alloc-port-forward"'))
    assert "Permission denied" in asyncio.run(_exec(secured, secret))
    both = secured.token(_policy('"alloc-exec", "alloc-node-exec"'))
    assert asyncio.run(_exec(secured, both)) == "exit 0"  # the same alloc, the other way

