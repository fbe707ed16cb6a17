"""The agent's `tls { }` and `server { client_introduction { } }` blocks, with Nomad's names.

    tls {
      http = true                      # every agent serves HTTPS
      ca_file   = "nomad-agent-ca.pem"
      cert_file = "global-server-nomad.pem"
      key_file  = "global-server-nomad-key.pem"
      verify_https_client    = true    # callers must present a certificate from ca_file
      verify_server_hostname = true    # clients check that servers hold server.<region>.nomad
    }

With verify_https_client the certificate's role decides who may act as a node:
only `client.<region>.nomad` and `server.<region>.nomad` may register or heartbeat.
"""

from __future__ import annotations

import ssl
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from caravan.durations import parse_duration
from caravan.tls.context import client_context


def _seconds(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value) / 1e9
    return value


_Seconds = Annotated[float, BeforeValidator(_seconds)]


class TLSConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    http: bool = False
    rpc: bool = False  # accepted for Nomad files; caravan's client<->server traffic is HTTP
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    verify_https_client: bool = False
    verify_server_hostname: bool = False
    rpc_upgrade_mode: bool = False
    tls_min_version: Literal["", "tls12", "tls13"] = ""
    tls_cipher_suites: str = ""

    @model_validator(mode="after")
    def _complete(self) -> TLSConfig:
        if self.http and not (self.cert_file and self.key_file):
            raise ValueError("tls.http needs cert_file and key_file")
        if self.http and self.verify_https_client and not self.ca_file:
            raise ValueError("tls.verify_https_client needs ca_file to verify callers with")
        return self


class ClientIntroductionConfig(BaseModel):
    """Nomad 1.11's `client_introduction`: how strictly first registrations need a token."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enforcement: Literal["none", "warn", "strict"] = "warn"
    default_identity_ttl: _Seconds = 300.0
    max_identity_ttl: _Seconds = 1800.0

    @model_validator(mode="after")
    def _ttls(self) -> ClientIntroductionConfig:
        if self.default_identity_ttl <= 0:
            raise ValueError("client_introduction.default_identity_ttl must be greater than 0")
        if self.max_identity_ttl <= 0:
            raise ValueError("client_introduction.max_identity_ttl must be greater than 0")
        if self.max_identity_ttl < self.default_identity_ttl:
            raise ValueError("client_introduction.max_identity_ttl must be greater than or "
                             "equal to default_identity_ttl")
        return self


def agent_client_context(tls: TLSConfig, *, to_server: bool = False) -> ssl.SSLContext | None:
    """How an agent calls another agent (a client its server, an agent the node running
    an allocation): None over plain HTTP. The chain is always checked against ca_file;
    the name only on calls `to_server` with verify_server_hostname, which then send
    `server_hostname(...)` as the name to check (as Nomad's RPC does)."""
    if not tls.http:
        return None
    return client_context(ca_file=tls.ca_file, cert_file=tls.cert_file,
                          key_file=tls.key_file,
                          check_hostname=to_server and tls.verify_server_hostname)


def server_hostname(tls: TLSConfig, region: str) -> str | None:
    """The name a server's certificate must hold, when the agent checks it."""
    return f"server.{region}.nomad" if tls.http and tls.verify_server_hostname else None


def agent_url(tls: TLSConfig, address: str) -> str:
    """`host:port` or a URL -> a base URL in the agent's scheme."""
    address = address.strip().rstrip("/")
    if "://" in address:
        return address
    return f"{'https' if tls.http else 'http'}://{address}"
