"""What `/v1/agent/self` adds to the config dump: Nomad-named config keys (`nomad_config`)
and `stats` in Nomad's sections, every value a string (Go's API client
reads them as `map[string]map[string]string`).

    runtime  arch, cpu_count, goroutines (asyncio tasks), kernel.name, max_procs, version
    nomad    server, leader, leader_addr, bootstrap, known_regions, last_index, broker.*
    raft     applied_index, commit_index, last_log_index, state, num_peers
    serf     members, failed, left, health_score
    client   node_id, known_servers, num_allocations
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
from typing import Any

from caravan.http.context import AgentContext

_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}


def agent_stats(ctx: AgentContext) -> dict[str, dict[str, str]]:
    """Read from memory only: /v1/agent/self is a readiness probe and must answer while
    etcd does not (so a cluster's peer and member counts are left out; see
    /v1/agent/members)."""
    stats = {"runtime": _runtime()}
    if ctx.server is not None:
        nomad = _flat(ctx.server.stats())
        leadership = ctx.server.leadership
        leader = leadership.leader if leadership is not None else None
        host = ctx.http_addr.rpartition(":")[0]
        nomad.setdefault("leader_addr", leader.rpc_addr if leader is not None
                         else f"{host}:{ctx.config.ports.rpc}")
        nomad.setdefault("bootstrap", "false")
        nomad.setdefault("known_regions", "1")
        stats["nomad"] = nomad
        index = nomad.get("last_index", "0")
        stats["raft"] = {"applied_index": index, "commit_index": index,
                         "last_log_index": index,
                         "state": "Leader" if ctx.server.is_leader else "Follower"}
        if leadership is None:  # one server: no peers, one member
            stats["raft"]["num_peers"] = "0"
            stats["serf"] = {"members": "1", "failed": "0", "left": "0",
                             "health_score": "0"}
    if ctx.client is not None:
        client = ctx.client
        stats["client"] = {"node_id": client.node_id,
                           "known_servers": ",".join(client.servers()),
                           "num_allocations": str(len(client.alloc_client_statuses()))}
    return stats


def _runtime() -> dict[str, str]:
    try:
        tasks = len(asyncio.all_tasks())
    except RuntimeError:
        tasks = 0
    cpus = os.cpu_count() or 1
    return {"arch": _ARCH.get(platform.machine(), platform.machine()),
            "cpu_count": str(cpus), "max_procs": str(len(os.sched_getaffinity(0))),
            "goroutines": str(tasks), "kernel.name": sys.platform,
            "version": f"python{platform.python_version()}"}


def _flat(values: dict[str, Any], prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            found |= _flat(value, f"{prefix}{key}.")
        else:
            found[f"{prefix}{key}"] = str(value)
    return found


def nomad_config(ctx: AgentContext) -> dict[str, Any]:
    """The agent's config with Nomad's names (`config` of /v1/agent/self), next to
    caravan's own snake_case dump: Nomad's clients read these keys."""
    cfg = ctx.config
    return {
        "Region": cfg.region, "Datacenter": cfg.datacenter, "NodeName": cfg.name,
        "DataDir": cfg.data_dir, "BindAddr": cfg.bind_addr, "LogLevel": cfg.log_level,
        "DevMode": cfg.dev_mode,
        "Ports": {"HTTP": cfg.ports.http, "RPC": cfg.ports.rpc, "Serf": cfg.ports.serf},
        "ACL": {"Enabled": cfg.acl.enabled},
        "Server": {"Enabled": cfg.server.enabled,
                   "HeartbeatGrace": int(cfg.server.heartbeat_grace * 1e9),
                   "MinHeartbeatTTL": int(cfg.server.min_heartbeat_ttl * 1e9)},
        "Client": {"Enabled": cfg.client.enabled, "Servers": list(cfg.client.servers),
                   "NodeClass": cfg.client.node_class, "Meta": dict(cfg.client.meta),
                   "Options": dict(cfg.client.options)},
        "TLSConfig": {"EnableHTTP": cfg.tls.http, "EnableRPC": cfg.tls.rpc,
                      "VerifyHTTPSClient": cfg.tls.verify_https_client},
    }
