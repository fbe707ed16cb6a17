"""`caravan tls ca create` and `caravan tls cert create`: Nomad's files, loadable by
Python's ssl, chained to the CA, with the role's names; keys private; nothing replaced."""

from __future__ import annotations

import os
import ssl
import stat
import subprocess
from pathlib import Path

from cryptography import x509

from tests.agents import CARAVAN


def _tls(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CARAVAN, "tls", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "CARAVAN_REGION": ""})


def _sans(path: Path) -> tuple[list[str], list[str]]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return (san.get_values_for_type(x509.DNSName),
            [str(ip) for ip in san.get_values_for_type(x509.IPAddress)])


def test_tls_files_load_and_chain_to_the_ca(tmp_path: Path) -> None:
    assert _tls(tmp_path, "ca", "create").returncode == 0
    for role in ("server", "client", "cli"):
        done = _tls(tmp_path, "cert", "create", f"-{role}", "-additional-dnsname", "node.example",
                    "-additional-ipaddress", "10.0.0.7")
        assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["global-cli-nomad-key.pem", "global-cli-nomad.pem",
                     "global-client-nomad-key.pem", "global-client-nomad.pem",
                     "global-server-nomad-key.pem", "global-server-nomad.pem",
                     "nomad-agent-ca-key.pem", "nomad-agent-ca.pem"]
    ca = x509.load_pem_x509_certificate((tmp_path / "nomad-agent-ca.pem").read_bytes())
    for role in ("server", "client", "cli"):
        cert_path = tmp_path / f"global-{role}-nomad.pem"
        key_path = tmp_path / f"global-{role}-nomad-key.pem"
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
        ctx = ssl.create_default_context(cafile=str(tmp_path / "nomad-agent-ca.pem"))
        ctx.load_cert_chain(cert_path, key_path)  # the key matches the certificate
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        cert.verify_directly_issued_by(ca)
        dns, ips = _sans(cert_path)
        assert dns == ["node.example", f"{role}.global.nomad", "localhost"]
        assert ips == (["10.0.0.7"] if role == "cli" else ["10.0.0.7", "127.0.0.1"])
    assert stat.S_IMODE((tmp_path / "nomad-agent-ca-key.pem").stat().st_mode) == 0o600


def test_tls_refuses_to_overwrite_and_needs_one_role(tmp_path: Path) -> None:
    assert _tls(tmp_path, "ca", "create").returncode == 0
    before = (tmp_path / "nomad-agent-ca.pem").read_bytes()
    again = _tls(tmp_path, "ca", "create")
    assert again.returncode == 1
    assert "CA certificate file 'nomad-agent-ca.pem' already exists" in again.stderr
    assert (tmp_path / "nomad-agent-ca.pem").read_bytes() == before
    both = _tls(tmp_path, "cert", "create", "-server", "-client")
    assert both.returncode == 1
    assert "Please provide either -server, -client, or -cli" in both.stderr
    region = _tls(tmp_path, "cert", "create", "-client", "-region", "eu")
    assert region.returncode == 0, region.stderr
    assert _sans(tmp_path / "eu-client-nomad.pem")[0] == ["client.eu.nomad", "localhost"]
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    no_ca = _tls(elsewhere, "cert", "create", "-cli", "-ca", "/nonexistent.pem")
    assert no_ca.returncode == 1
    assert "/nonexistent.pem" in no_ca.stderr
    assert list(elsewhere.iterdir()) == []
