"""This client as a Node: its lasting identity and the Node model it registers.

The node ID and secret are generated once and kept in `<data_dir>/client/node-id`
and `node-secret` (mode 0600), so a restarted client is the same node.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from caravan import __version__
from caravan.client.drivers.base import DriverFingerprint
from caravan.client.fingerprint.base import Fingerprint
from caravan.client.fingerprint.drivers import driver_attributes, driver_info
from caravan.config.agent import AgentConfig
from caravan.ids import IdGenerator
from caravan.structs import (
    ClientHostVolume,
    LegacyResources,
    NetworkResource,
    Node,
    NodeCpuResources,
    NodeDiskResources,
    NodeMemoryResources,
    NodeResources,
)


@dataclass(frozen=True)
class NodeIdentity:
    id: str
    secret: str

    @classmethod
    def load_or_create(cls, client_dir: Path, new_id: IdGenerator) -> NodeIdentity:
        client_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return cls(id=_read_or_write(client_dir / "node-id", new_id),
                   secret=_read_or_write(client_dir / "node-secret", new_id))


def read_intro_token(client_dir: Path) -> str:
    """`<data_dir>/client/intro_token.jwt`, Nomad's place for a client introduction
    token given neither as a flag nor in the environment ("" when there is none)."""
    try:
        fd = os.open(client_dir / "intro_token.jwt", os.O_RDONLY | os.O_NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError):
        return ""
    with os.fdopen(fd) as f:
        return f.read().strip()


def _read_or_write(path: Path, new_id: IdGenerator) -> str:
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        value = ""
    if not value:
        value = new_id()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(value + "\n")
    return value


def build_node(config: AgentConfig, identity: NodeIdentity, host: Fingerprint,
               drivers: Mapping[str, DriverFingerprint], http_addr: str,
               update_time: str) -> Node:
    """The Node this client registers, from its config and fingerprints."""
    client = config.client
    compute = client.cpu_total_compute or host.cpu_compute_mhz or 0
    memory = client.memory_total_mb or host.memory_mb or 0
    disk = host.disk_free_mb or 0
    attributes = {**host.attributes, **driver_attributes(drivers)}
    if client.cpu_total_compute:
        attributes["cpu.totalcompute"] = str(client.cpu_total_compute)
    return Node(
        id=identity.id, secret_id=identity.secret,
        name=config.name or socket.gethostname(), datacenter=config.datacenter,
        node_class=client.node_class, http_addr=http_addr, attributes=attributes,
        tls_enabled=config.tls.http, meta=dict(client.meta),
        resources=LegacyResources(cpu=compute, memory_mb=memory, disk_mb=disk),
        node_resources=NodeResources(
            cpu=NodeCpuResources(cpu_shares=compute, total_cpu_cores=host.cpu_cores or 0,
                                 reservable_cpu_cores=(list(host.reservable_cores)
                                                       if host.reservable_cores is not None
                                                       else list(range(host.cpu_cores or 0)))),
            memory=NodeMemoryResources(memory_mb=memory), disk=NodeDiskResources(disk_mb=disk),
            networks=[NetworkResource(mode="host", device=host.network_device or "",
                                      ip=host.network_ip, cidr=f"{host.network_ip}/32")]
            if host.network_ip else None,
            min_dynamic_port=client.min_dynamic_port, max_dynamic_port=client.max_dynamic_port),
        drivers={name: driver_info(fp, update_time) for name, fp in drivers.items()},
        host_volumes={name: ClientHostVolume(name=name, path=v.path, read_only=v.read_only)
                      for name, v in client.host_volume.items()} or None,
        status="ready", version=__version__)
