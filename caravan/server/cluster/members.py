"""What each server tells the others about itself, kept in etcd under its session lease.

    <prefix>members/<name>   {"Name", "Addr", "Port", "HTTP", "Region", "Datacenter", "Build"}
    <prefix>leader           the same record, of the server that leads

Both keys live on the server's lease, so a server that dies drops out of the
member list and out of the lead once its lease expires.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Member:
    name: str
    addr: str  # host of its RPC and HTTP addresses
    port: int  # its RPC port (what /v1/status/leader and peers show, as Nomad does)
    http: str  # base URL of its HTTP API, where followers forward writes
    region: str
    datacenter: str
    build: str

    @property
    def rpc_addr(self) -> str:
        return f"{self.addr}:{self.port}"

    def encode(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def decode(cls, raw: bytes) -> Member:
        data = json.loads(raw)
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})
