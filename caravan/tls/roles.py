"""Which role a peer certificate holds: Nomad names roles `<role>.<region>.nomad`.

A certificate names a role in its CN or one of its DNS SANs. Nodes may register only
with a `client.<region>.nomad` or `server.<region>.nomad` certificate, as Nomad's
servers require of node RPCs; a `cli.<region>.nomad` certificate may not.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography import x509
from cryptography.x509.oid import NameOID


def node_role_names(region: str) -> tuple[str, str]:
    return f"client.{region}.nomad", f"server.{region}.nomad"


@lru_cache(maxsize=256)
def cert_names(pem: str) -> frozenset[str]:
    """The CN and DNS SANs of a PEM certificate (empty for an unreadable one)."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return frozenset()
    names = {a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
             if isinstance(a.value, str)}
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names.update(san.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        pass
    return frozenset(names)
