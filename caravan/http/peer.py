"""Who is on the other end of TLS: the role of the caller's certificate.

With `tls { http = true, verify_https_client = true }` every caller presents a
certificate signed by the cluster CA (the TLS handshake refuses anyone else). Its role
then limits what it may do as a node: only `client.<region>.nomad` and
`server.<region>.nomad` may register, heartbeat or report allocations, as Nomad's
servers require of node RPCs. Without verify_https_client there is no certificate to
check; client introduction (`server.client_introduction`) is then the guard.
"""

from __future__ import annotations

import logging

from starlette.requests import HTTPConnection

from caravan.errors import PermissionDenied
from caravan.http.context import agent_of
from caravan.tls.roles import cert_names, node_role_names

log = logging.getLogger(__name__)


def peer_names(conn: HTTPConnection) -> frozenset[str]:
    """CN and DNS SANs of the caller's verified certificate; empty without one."""
    extension = conn.scope.get("extensions", {}).get("tls") or {}
    chain = extension.get("client_cert_chain") or []
    return cert_names(chain[0]) if chain else frozenset()


def require_node_certificate(conn: HTTPConnection) -> None:
    """PermissionDenied unless the caller's certificate may act as a node."""
    ctx = agent_of(conn)
    tls = ctx.config.tls
    if not (tls.http and tls.verify_https_client):
        return
    expected = node_role_names(ctx.config.region)
    names = peer_names(conn)
    if not names.intersection(expected):
        log.error("invalid certificate: %s not in expected %s",
                  ", ".join(sorted(names)) or "(none)", ", ".join(expected))
        raise PermissionDenied()
