"""A real etcd (Debian's etcd-server) on free 127.0.0.1 ports, for one test or module."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.agents import free_port

ETCD = shutil.which("etcd") or "/usr/bin/etcd"


@dataclass
class EtcdProcess:
    root: Path
    host: str = "127.0.0.1"  # an address of this machine or of a test host it made
    client_port: int = field(default_factory=free_port)
    peer_port: int = field(default_factory=free_port)
    max_txn_ops: int = 100_000  # etcd's default is 128
    # (ca, cert, key) files: serve TLS and require client certificates signed by ca.
    tls: tuple[Path, Path, Path] | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.client_port}"

    def start(self) -> None:
        if not Path(ETCD).exists():
            pytest.fail("etcd is not installed: run scripts/setup (it installs etcd-server)")
        peer = f"http://{self.host}:{self.peer_port}"
        log = (self.root / "etcd.log").open("wb")
        tls_args: list[str] = []
        context = None
        if self.tls is not None:
            ca, cert, key = self.tls
            tls_args = ["--cert-file", str(cert), "--key-file", str(key),
                        "--trusted-ca-file", str(ca), "--client-cert-auth"]
            context = ssl.create_default_context(cafile=str(ca))
            context.load_cert_chain(str(cert), str(key))
        self.proc = subprocess.Popen(
            [ETCD, *tls_args, "--name", "t", "--data-dir", str(self.root / "etcd-data"),
             "--listen-client-urls", self.endpoint, "--advertise-client-urls", self.endpoint,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"t={peer}", "--logger", "zap", "--log-level", "error",
             # One plan of hundreds of allocations is one transaction.
             "--max-txn-ops", str(self.max_txn_ops), "--max-request-bytes", "33554432"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("etcd exited: " + (self.root / "etcd.log").read_text()[-2000:])
            try:
                with urllib.request.urlopen(self.endpoint + "/health", timeout=1,
                                            context=context) as r:
                    if b'"true"' in r.read():
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("etcd did not become healthy within 30s")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
