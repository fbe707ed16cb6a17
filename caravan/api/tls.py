"""TLS settings of the api library, with Nomad's api.TLSConfig fields and variables.

    TLSConfig.from_env()   CARAVAN_CACERT / NOMAD_CACERT, CARAVAN_CAPATH / NOMAD_CAPATH,
                           CARAVAN_CLIENT_CERT / NOMAD_CLIENT_CERT,
                           CARAVAN_CLIENT_KEY / NOMAD_CLIENT_KEY,
                           CARAVAN_TLS_SERVER_NAME / NOMAD_TLS_SERVER_NAME,
                           CARAVAN_SKIP_VERIFY / NOMAD_SKIP_VERIFY

Only `https://` addresses use it. Without a CA the system's store verifies the agent.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass

from caravan.tls.context import client_context

_TRUE = {"1", "t", "true", "yes", "y", "on"}


def _first(env: Mapping[str, str], name: str) -> str:
    return env.get(f"CARAVAN_{name}") or env.get(f"NOMAD_{name}") or ""


@dataclass(frozen=True)
class TLSConfig:
    ca_cert: str = ""
    ca_path: str = ""
    client_cert: str = ""
    client_key: str = ""
    tls_server_name: str = ""  # the name to send (SNI) and to find in the certificate
    insecure: bool = False  # verify nothing (-tls-skip-verify)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TLSConfig:
        return cls(ca_cert=_first(env, "CACERT"), ca_path=_first(env, "CAPATH"),
                   client_cert=_first(env, "CLIENT_CERT"), client_key=_first(env, "CLIENT_KEY"),
                   tls_server_name=_first(env, "TLS_SERVER_NAME"),
                   insecure=_first(env, "SKIP_VERIFY").strip().lower() in _TRUE)

    def ssl_context(self) -> ssl.SSLContext:
        """Raises InvalidInput naming the file that could not be loaded."""
        return client_context(ca_file=self.ca_cert, ca_path=self.ca_path,
                              cert_file=self.client_cert, key_file=self.client_key,
                              insecure=self.insecure)

    def sni(self) -> dict[str, str] | None:
        """httpx request extensions carrying tls_server_name, when one is set."""
        return {"sni_hostname": self.tls_server_name} if self.tls_server_name else None
