"""A whole cluster over mutual TLS: a server and a client agent, each with its own role's
certificate (`verify_https_client`, `verify_server_hostname`). Client introduction is
strict, so, as in Nomad, a certificate alone does not introduce a node: the client also
brings `<data_dir>/client/intro_token.jwt`. A raw_exec job runs on the client; `alloc
logs` and `alloc exec` reach it through the server (relayed over TLS with the server's
certificate) and directly.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from caravan.api import Client, TLSConfig
from caravan.api.exec import exec_session
from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job
from tests.security.pki import Pki, make_pki

pytestmark = pytest.mark.integration

STRICT = 'server {\n  client_introduction {\n    enforcement = "strict"\n  }\n}\n'


@dataclass
class TLSCluster:
    pki: Pki
    server: AgentProcess
    client: AgentProcess
    alloc_id: str

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.address, verify=self.pki.context("cli"),
                            timeout=10)

    def cli_env(self) -> dict[str, str]:
        cert, key = self.pki.cert("cli")
        return {**self.server.env, "NOMAD_CACERT": str(self.pki.ca),
                "CARAVAN_CLIENT_CERT": str(cert), "NOMAD_CLIENT_KEY": str(key)}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSCluster]:
    root = tmp_path_factory.mktemp("tlscluster")
    pki = make_pki(root / "pki")
    server = AgentProcess(root=root, name="server", dev=False, client=False,
                          config=pki.agent_tls("server", verify_server_hostname=True) + STRICT,
                          probe_tls=pki.context("cli"))
    started: list[AgentProcess] = []
    try:
        started.append(server.start())
        with httpx.Client(base_url=server.address, verify=pki.context("cli")) as http:
            token = http.put("/v1/acl/identity/client-introduction-token",
                             json={"NodeName": "tls-client"}).json()["JWT"]
        client = AgentProcess(root=root, name="tls-client", server=False,
                              servers=[server.address.removeprefix("https://")],
                              config=pki.agent_tls("client", verify_server_hostname=True),
                              probe_tls=pki.context("cli"))
        (client.data_dir / "client").mkdir(parents=True)
        (client.data_dir / "client" / "intro_token.jwt").write_text(token + "\n")
        started.append(client.start())
        with httpx.Client(base_url=server.address, verify=pki.context("cli")) as http:
            wait_until(lambda: [n for n in http.get("/v1/nodes").json()
                                if n["Status"] == "ready"], 30, what="client node ready")
            http.post("/v1/jobs", json=raw_exec_job(
                "tls-job", args=["-c", "echo hello-over-tls; exec sleep 3600"])
            ).raise_for_status()
            alloc_id = wait_until(lambda: next(
                (a["ID"] for a in http.get("/v1/job/tls-job/allocations").json()
                 if a["ClientStatus"] == "running"), None), 60, what="tls-job running")
        yield TLSCluster(pki, server, client, alloc_id)
    finally:
        for agent in reversed(started):
            agent.stop()


def test_client_registered_with_tls_and_intro_token(cluster: TLSCluster) -> None:
    with cluster.http() as http:
        nodes = http.get("/v1/nodes").json()
    assert [n["Name"] for n in nodes] == ["tls-client"]
    node = httpx.get(f"{cluster.server.address}/v1/node/{nodes[0]['ID']}",
                     verify=cluster.pki.context("cli")).json()
    assert node["TLSEnabled"] is True
    assert node["HTTPAddr"] == f"127.0.0.1:{cluster.client.port}"


def test_alloc_logs_relayed_over_tls(cluster: TLSCluster) -> None:
    done = subprocess.run([CARAVAN, "alloc", "logs", cluster.alloc_id], env=cluster.cli_env(),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "hello-over-tls" in done.stdout


def test_alloc_exec_cli_over_tls(cluster: TLSCluster) -> None:
    done = subprocess.run([CARAVAN, "alloc", "exec", "-i=false", "-t=false", cluster.alloc_id,
                           "/bin/sh", "-c", "echo exec-$((40+2))"], env=cluster.cli_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "exec-42"


def test_alloc_exec_relayed_by_the_server_over_tls(cluster: TLSCluster) -> None:
    cert, key = cluster.pki.cert("cli")
    tls = TLSConfig(ca_cert=str(cluster.pki.ca), client_cert=str(cert), client_key=str(key))

    async def session() -> tuple[int | None, bytes]:
        out = b""
        with Client(cluster.server.address, env={}, tls=tls) as client:
            # no node_id: no direct dial, the server relays to the client agent
            async with exec_session(client, cluster.alloc_id, "main",
                                    ["/bin/sh", "-c", "echo relayed; exit 7"]) as s:
                await s.send_stdin(b"")
                async for frame in s:
                    out += frame.data
                return s.exit_code, out

    code, out = asyncio.run(session())
    assert (code, out) == (7, b"relayed\n")


def test_cli_certificate_cannot_reach_client_node_routes(cluster: TLSCluster) -> None:
    node_id = (cluster.client.data_dir / "client" / "node-id").read_text().strip()
    secret = (cluster.client.data_dir / "client" / "node-secret").read_text().strip()
    with cluster.http() as http:
        beat = http.put(f"/v1/node/{node_id}/heartbeat", headers={"X-Nomad-Token": secret})
    assert beat.status_code == 403
    # Through the client agent, which would relay with its own certificate: refused.
    relayed = httpx.put(f"{cluster.client.address}/v1/node/{node_id}/heartbeat",
                        headers={"X-Nomad-Token": secret}, verify=cluster.pki.context("cli"),
                        timeout=10)
    assert relayed.status_code == 400
    assert "go to a server directly" in relayed.text
