"""Class 7 of issue 9, with mutual TLS: the certificate's role decides who is a node.

A server with `tls { http = true, verify_https_client = true }`: a caller without a
certificate from the cluster CA does not get past the handshake; a `client.global.nomad`
or `server.global.nomad` certificate may register a node; a `cli.global.nomad`
certificate may use the API but not register, heartbeat or report as a node. No
introduction token is needed for the certificate route (enforcement `none` here, so
only the certificate decides). The CLI reaches the agent with -ca-cert/-client-cert/
-client-key or the CARAVAN_/NOMAD_ variables, and not without them.
"""

from __future__ import annotations

import ssl
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.security.pki import Pki, make_pki

pytestmark = pytest.mark.integration

NO_INTRO = 'server {\n  client_introduction {\n    enforcement = "none"\n  }\n}\n'


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    agent = AgentProcess(root=tmp_path_factory.mktemp("tls"), name="srv", dev=False,
                         client=False, config=pki.agent_tls("server") + NO_INTRO,
                         probe_tls=pki.context("cli"))
    try:
        agent.start()
        yield agent
    finally:
        agent.stop()


def _node() -> dict[str, Any]:
    return {"ID": str(uuid.uuid4()), "SecretID": str(uuid.uuid4()), "Name": "n",
            "Datacenter": "dc1", "NodePool": "default", "Status": "ready"}


def _register(agent: AgentProcess, ctx: ssl.SSLContext, node: dict[str, Any]) -> httpx.Response:
    return httpx.put(f"{agent.address}/v1/node/register", json={"Node": node}, verify=ctx,
                     timeout=10)


def test_cve_2023_1782_no_certificate_no_registration(server: AgentProcess, pki: Pki) -> None:
    with pytest.raises(httpx.HTTPError):  # the TLS handshake refuses the caller
        _register(server, pki.context(None), _node())
    with pytest.raises(httpx.HTTPError):  # and plain HTTP is not served at all
        httpx.put(f"http://127.0.0.1:{server.port}/v1/node/register",
                  json={"Node": _node()}, timeout=10)


def test_client_and_server_certificates_may_register(server: AgentProcess, pki: Pki) -> None:
    for ctx in (pki.context("client"), pki.context("server")):
        node = _node()
        reply = _register(server, ctx, node)
        assert reply.status_code == 200, reply.text
        beat = httpx.put(f"{server.address}/v1/node/{node['ID']}/heartbeat", verify=ctx,
                         headers={"X-Nomad-Token": node["SecretID"]}, timeout=10)
        assert beat.status_code == 200, beat.text


def test_cli_certificate_cannot_act_as_a_node(server: AgentProcess, pki: Pki) -> None:
    cli = pki.context("cli")
    node = _node()
    reply = _register(server, cli, node)
    assert reply.status_code == 403, reply.text
    assert reply.text.strip() == "Permission denied"
    ids = {n["ID"] for n in httpx.get(f"{server.address}/v1/nodes", verify=cli).json()}
    assert node["ID"] not in ids  # the API itself is open to a cli certificate
    # A node registered with a client certificate: a cli certificate holding its secret
    # still cannot heartbeat or report for it.
    known = _node()
    assert _register(server, pki.context("client"), known).status_code == 200
    headers = {"X-Nomad-Token": known["SecretID"]}
    beat = httpx.put(f"{server.address}/v1/node/{known['ID']}/heartbeat", verify=cli,
                     headers=headers, timeout=10)
    assert beat.status_code == 403
    update = httpx.post(f"{server.address}/v1/node/{known['ID']}/allocations/update",
                        verify=cli, headers=headers, json={"Allocs": []}, timeout=10)
    assert update.status_code == 403


def _cli(args: list[str], env: dict[str, str], cwd: Path | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CARAVAN, *args], env=env, capture_output=True, text=True,
                          timeout=30, cwd=cwd)


def test_cli_needs_ca_and_certificate(server: AgentProcess, pki: Pki) -> None:
    env = {k: v for k, v in server.env.items() if "CERT" not in k and "KEY" not in k}
    cert, key = pki.cert("cli")
    unverified = _cli(["node", "status"], env)
    assert unverified.returncode == 1
    assert "CERTIFICATE_VERIFY_FAILED" in unverified.stderr or "certificate" in unverified.stderr
    no_cert = _cli(["node", "status", "-ca-cert", str(pki.ca)], env)
    assert no_cert.returncode == 1
    flags = _cli(["node", "status", "-ca-cert", str(pki.ca), "-client-cert", str(cert),
                  "-client-key", str(key)], env)
    assert flags.returncode == 0, flags.stderr
    for prefix in ("CARAVAN", "NOMAD"):
        by_env = _cli(["node", "status"], {**env, f"{prefix}_CACERT": str(pki.ca),
                                           f"{prefix}_CLIENT_CERT": str(cert),
                                           f"{prefix}_CLIENT_KEY": str(key)})
        assert by_env.returncode == 0, by_env.stderr
    skip = _cli(["node", "status", "-tls-skip-verify", "-client-cert", str(cert),
                 "-client-key", str(key)], env)
    assert skip.returncode == 0, skip.stderr
    wrong_name = _cli(["node", "status", "-ca-cert", str(pki.ca), "-client-cert", str(cert),
                       "-client-key", str(key), "-tls-server-name", "client.global.nomad"],
                      env)
    assert wrong_name.returncode == 1  # the server's certificate is server.global.nomad
    right_name = _cli(["node", "status", "-ca-cert", str(pki.ca), "-client-cert", str(cert),
                       "-client-key", str(key), "-tls-server-name", "server.global.nomad"],
                      env)
    assert right_name.returncode == 0, right_name.stderr
    missing = _cli(["node", "status", "-ca-cert", "/nonexistent/ca.pem"], env)
    assert missing.returncode == 1
    assert "/nonexistent/ca.pem" in missing.stderr


def test_node_secret_counts_only_from_a_node_certificate(pki: Pki, tmp_path: Path) -> None:
    """With ACLs on, a node pulls its allocations with its secret; a cli certificate
    holding a stolen secret does not get them (the allocations carry task env)."""
    config = pki.agent_tls("server") + NO_INTRO + "acl {\n  enabled = true\n}\n"
    agent = AgentProcess(root=tmp_path, name="acl", dev=False, client=False, config=config,
                         probe_tls=pki.context("cli"))
    # With ACLs on, the usual readiness probe (/v1/agent/self) needs a token.
    agent.wait_ready = (  # type: ignore[method-assign]
        lambda timeout_s: _wait_listening(agent, pki, timeout_s))
    try:
        agent.start()
        node = _node()
        assert _register(agent, pki.context("client"), node).status_code == 200
        path = f"{agent.address}/v1/node/{node['ID']}/allocations"
        headers = {"X-Nomad-Token": node["SecretID"]}
        as_node = httpx.get(path, headers=headers, verify=pki.context("client"), timeout=10)
        assert as_node.status_code == 200, as_node.text
        as_cli = httpx.get(path, headers=headers, verify=pki.context("cli"), timeout=10)
        assert as_cli.status_code == 403
    finally:
        agent.stop()


def _wait_listening(agent: AgentProcess, pki: Pki, timeout_s: float) -> None:
    def up() -> bool:
        assert agent.proc is not None and agent.proc.poll() is None, agent.logs()
        try:
            httpx.get(f"{agent.address}/v1/status/leader", verify=pki.context("cli"), timeout=1)
            return True
        except httpx.HTTPError:
            return False

    wait_until(up, timeout_s, what="agent listening")
