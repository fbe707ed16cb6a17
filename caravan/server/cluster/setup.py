"""A server that is one of several on etcd: its backend and its member record."""

from __future__ import annotations

import socket
from pathlib import Path

from caravan import __version__
from caravan.config.agent import AgentConfig
from caravan.server.cluster.members import Member
from caravan.server.server import Server
from caravan.server.state.etcd import EtcdBackend


def member_of(cfg: AgentConfig) -> Member:
    url = cfg.http_url()
    host = url.split("://", 1)[1].rsplit(":", 1)[0]
    return Member(name=f"{cfg.name or socket.gethostname()}.{cfg.region}", addr=host,
                  port=cfg.ports.rpc, http=url, region=cfg.region,
                  datacenter=cfg.datacenter, build=__version__)


def cluster_server(cfg: AgentConfig, data_dir: Path, options: dict[str, object]) -> Server:
    etcd = cfg.server.etcd
    assert etcd is not None
    # A call to etcd gives up within the lease's TTL: a commit stuck on a partition
    # must not hold the agent's loop (and so its keepalives) past the time to step down.
    backend = EtcdBackend(etcd, timeout_s=etcd.leader_ttl / 2)
    try:
        return Server(backend, server_dir=data_dir / "server", member=member_of(cfg),
                      leader_ttl_s=etcd.leader_ttl, **options)  # type: ignore[arg-type]
    except BaseException:
        backend.close()
        raise
