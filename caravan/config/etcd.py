"""The `server { etcd { ... } }` block: where several servers keep their shared state."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator


class EtcdConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoints: list[str] = Field(min_length=1)
    key_prefix: str = "caravan/"
    # TLS to etcd, as any etcd client takes it: a CA to check the server, and a client
    # certificate and key when etcd asks for one (`--client-cert-auth`).
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    # How long a leader's lease lives without a keepalive; a new leader is elected
    # within about this long after the old one dies.
    leader_ttl: int = Field(default=5, ge=2, le=60)

    @field_validator("endpoints")
    @classmethod
    def _endpoints(cls, value: list[str]) -> list[str]:
        for url in value:
            parts = urlsplit(url if "://" in url else f"http://{url}")
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"etcd endpoint {url!r}: want http(s)://host:port")
        return value

    @field_validator("key_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not value or not value.endswith("/"):
            raise ValueError(f"key_prefix {value!r}: want a non-empty prefix ending in '/'")
        return value

    def tls(self) -> bool:
        return bool(self.ca_file or self.cert_file) or any(
            e.startswith("https://") for e in self.endpoints)

    def host_ports(self) -> list[tuple[str, int]]:
        out = []
        for url in self.endpoints:
            parts = urlsplit(url if "://" in url else f"http://{url}")
            out.append((parts.hostname or "", parts.port or 2379))
        return out
