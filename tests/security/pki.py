"""A throwaway cluster PKI for TLS tests: a CA and server, client and cli certificates."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from caravan.tls.certs import CertRequest, Role, ca_file_names, cert_file_names, create_ca, \
    create_cert


@dataclass(frozen=True)
class Pki:
    root: Path

    @property
    def ca(self) -> Path:
        return self.root / ca_file_names()[0]

    def cert(self, role: Role) -> tuple[Path, Path]:
        cert, key = cert_file_names(role)
        return self.root / cert, self.root / key

    def context(self, role: Role | None) -> ssl.SSLContext:
        """What a caller holding `role`'s certificate (None: no certificate) connects with."""
        ctx = ssl.create_default_context(cafile=str(self.ca))
        if role is not None:
            cert, key = self.cert(role)
            ctx.load_cert_chain(cert, key)
        return ctx

    def agent_tls(self, role: Role, *, verify_https_client: bool = True,
                  verify_server_hostname: bool = False) -> str:
        """The agent file's `tls { }` block for an agent holding `role`'s certificate."""
        cert, key = self.cert(role)
        return (f'tls {{\n  http = true\n  ca_file = "{self.ca}"\n  cert_file = "{cert}"\n'
                f'  key_file = "{key}"\n'
                f'  verify_https_client = {str(verify_https_client).lower()}\n'
                f'  verify_server_hostname = {str(verify_server_hostname).lower()}\n}}\n')


def make_pki(root: Path) -> Pki:
    root.mkdir(parents=True, exist_ok=True)
    ca_pem, ca_key = create_ca()
    ca_name, ca_key_name = ca_file_names()
    (root / ca_name).write_bytes(ca_pem)
    (root / ca_key_name).write_bytes(ca_key)
    for role in ("server", "client", "cli"):
        cert, key = create_cert(CertRequest(role), ca_pem, ca_key)  # type: ignore[arg-type]
        cert_name, key_name = cert_file_names(role)  # type: ignore[arg-type]
        (root / cert_name).write_bytes(cert)
        (root / key_name).write_bytes(key)
    return Pki(root)
