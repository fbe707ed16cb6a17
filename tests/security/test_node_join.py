"""Class 7 of issue 9: nobody joins the cluster as a node without being introduced.

A server with ACLs on and `client_introduction { enforcement = "strict" }`: an
anonymous registration of a node ID it has never seen is refused with Nomad's 403;
a token from `PUT /v1/acl/identity/client-introduction-token` (node:write) admits
nodes whose pool and name match it until it expires; an expired, forged or unsigned
token is refused. The case is CVE-2023-1782's class: a node-shaped request that
no credential vouches for must not be trusted.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.acl.cluster import ACL_ON, AclAgent

pytestmark = pytest.mark.integration

STRICT = 'server {\n  client_introduction {\n    enforcement = "strict"\n  }\n}\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclAgent]:
    agent = AclAgent(root=tmp_path_factory.mktemp("join"), name="srv", dev=False,
                     client=False, bootstrap=False, config=ACL_ON + STRICT)
    try:
        agent.start()
        reply = httpx.post(f"{agent.address}/v1/acl/bootstrap",
                           json={"BootstrapSecret": agent.root_secret}, timeout=10)
        assert reply.status_code == 200, reply.text
        yield agent
    finally:
        agent.stop()


def _node(name: str) -> dict[str, Any]:
    return {"ID": str(uuid.uuid4()), "SecretID": str(uuid.uuid4()), "Name": name,
            "Datacenter": "dc1", "NodePool": "default", "Status": "ready"}


def _register(agent: AgentProcess, node: dict[str, Any], token: str = "") -> httpx.Response:
    headers = {"X-Nomad-Token": token} if token else {}
    return httpx.put(f"{agent.address}/v1/node/register", json={"Node": node},
                     headers=headers, timeout=10)


def _node_ids(agent: AclAgent) -> set[str]:
    with agent.http(agent.root_secret) as http:
        return {n["ID"] for n in http.get("/v1/nodes").json()}


def _intro(agent: AclAgent, **body: Any) -> str:
    with agent.http(agent.root_secret) as http:
        reply = http.put("/v1/acl/identity/client-introduction-token", json=body)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["JWT"])


def _server_key(agent: AgentProcess) -> Ed25519PrivateKey:
    pem = (agent.data_dir / "server" / "keyring" / "intro-ed25519.pem").read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def _claims(name: str = "", **over: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"nomad_node_pool": "default", "nomad_node_name": name, "iat": now, "nbf": now,
              "exp": now + 300, "aud": ["nomadproject.io"], "jti": str(uuid.uuid4()),
              "sub": f"node-introduction:global:default:{name}:default"}
    return {**claims, **over}


def test_cve_2023_1782_anonymous_fresh_node_cannot_register(server: AclAgent) -> None:
    node = _node("rogue")
    reply = _register(server, node)
    assert reply.status_code == 403, reply.text
    assert reply.text.strip() == "Permission denied"
    assert node["ID"] not in _node_ids(server)
    assert "node registration without introduction token" in server.logs()


def test_acl_token_is_no_introduction(server: AclAgent) -> None:
    """A management token is for people; it does not vouch for a node (as in Nomad)."""
    node = _node("with-acl-token")
    assert _register(server, node, server.root_secret).status_code == 403


def test_intro_token_admits_matching_node_then_its_secret_protects_it(server: AclAgent) -> None:
    token = _intro(server, NodeName="web-1", TTL="10m")
    node = _node("web-1")
    assert _register(server, node, token).status_code == 200
    assert node["ID"] in _node_ids(server)
    # The node is known now: its secret, not the token, proves it is the same node.
    assert _register(server, node).status_code == 200
    stolen = {**node, "SecretID": str(uuid.uuid4())}
    assert _register(server, stolen, token).status_code == 403
    # The token names web-1: another node name cannot use it.
    other = _node("web-2")
    assert _register(server, other, token).status_code == 403
    assert other["ID"] not in _node_ids(server)


def test_intro_token_scoped_to_pool(server: AclAgent) -> None:
    token = _intro(server, NodePool="gpu")
    assert _register(server, _node("any"), token).status_code == 403  # pool "default"
    assert _register(server, {**_node("any"), "NodePool": "gpu"}, token).status_code == 200


def test_expired_intro_token_refused(server: AclAgent) -> None:
    past = int(time.time()) - 3600
    token = jwt.encode(_claims(iat=past, nbf=past, exp=past + 60), _server_key(server),
                       algorithm="EdDSA")
    assert _register(server, _node("late"), token).status_code == 403
    assert "node registration introduction authentication failure" in server.logs()


def test_forged_intro_tokens_refused(server: AclAgent) -> None:
    forged = jwt.encode(_claims(), Ed25519PrivateKey.generate(), algorithm="EdDSA")
    assert _register(server, _node("forged"), forged).status_code == 403
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=")
    unsigned = f"{header.decode()}.{body.decode()}."
    assert _register(server, _node("unsigned"), unsigned).status_code == 403
    # A real token's claims edited: the signature no longer matches.
    real = _intro(server).split(".")
    edited = base64.urlsafe_b64encode(json.dumps(_claims("x", exp=2**40)).encode())
    tampered = ".".join([real[0], edited.decode().rstrip("="), real[2]])
    assert _register(server, _node("x"), tampered).status_code == 403


def test_node_intro_create_needs_node_write(server: AclAgent) -> None:
    anonymous = httpx.put(f"{server.address}/v1/acl/identity/client-introduction-token",
                          json={}, timeout=10)
    assert anonymous.status_code == 403
    with server.http(server.root_secret) as http:
        for name, rules in (("nodes-w", 'node { policy = "write" }'),
                            ("nodes-r", 'node { policy = "read" }')):
            assert http.put(f"/v1/acl/policy/{name}",
                            json={"Name": name, "Rules": rules}).status_code == 200
        writer = http.put("/v1/acl/token", json={"Type": "client", "Policies": ["nodes-w"]})
        reader = http.put("/v1/acl/token", json={"Type": "client", "Policies": ["nodes-r"]})
    env = {**server.env, "CARAVAN_TOKEN": writer.json()["SecretID"]}
    done = subprocess.run([CARAVAN, "node", "intro", "create", "-node-name", "cli-node",
                           "-ttl", "2m"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Successfully generated client introduction token:")
    token = done.stdout.split()[-1]
    assert _register(server, _node("cli-node"), token).status_code == 200
    env["CARAVAN_TOKEN"] = reader.json()["SecretID"]
    refused = subprocess.run([CARAVAN, "node", "intro", "create"], env=env,
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1
    assert "Error generating introduction token" in refused.stderr
    assert "Permission denied" in refused.stderr


def test_client_agent_joins_only_with_its_intro_token(server: AclAgent,
                                                      tmp_path: Any) -> None:
    """A real client agent presents the token at first registration (env variable);
    one without a token keeps being refused."""
    servers = [server.address.removeprefix("http://")]
    token = _intro(server, NodeName="introduced")
    good = AgentProcess(root=tmp_path, name="introduced", dev=False, server=False,
                        servers=servers, extra_env={"CARAVAN_CLIENT_INTRO_TOKEN": token})
    bad = AgentProcess(root=tmp_path, name="stranger", dev=False, server=False,
                       servers=servers)
    try:
        good.start()
        bad.start()
        good_id = (good.data_dir / "client" / "node-id").read_text().strip()
        bad_id = (bad.data_dir / "client" / "node-id").read_text().strip()
        wait_until(lambda: good_id in _node_ids(server), what="introduced node registered")
        wait_until(lambda: "Permission denied" in bad.logs(), what="stranger refused")
        assert bad_id not in _node_ids(server)
    finally:
        good.stop()
        bad.stop()


def test_warn_enforcement_admits_and_logs(tmp_path: Any) -> None:
    """Nomad's default, `warn`: the pre-1.11 way still works, and says so in the log."""
    agent = AgentProcess(root=tmp_path, name="warn", dev=False, client=False)
    try:
        agent.start()
        node = _node("legacy")
        assert _register(agent, node).status_code == 200
        wait_until(lambda: "node registration without introduction token" in agent.logs(),
                   what="warning logged")
    finally:
        agent.stop()
