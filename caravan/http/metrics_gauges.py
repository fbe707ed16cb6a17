"""The gauges `/v1/metrics` reports, read when asked (nothing is instrumented or sampled).

Names are Nomad's: the eval broker (`nomad.nomad.broker.*`), blocked evals, jobs by
status, the state index (`nomad.raft.appliedIndex`), a client's allocations by status
and its host's memory and uptime, and the agent process itself (`nomad.runtime.*`,
whose Go notions map onto Python's: asyncio tasks for goroutines, RSS for heap bytes).
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from caravan.http.context import AgentContext
from caravan.server.telemetry import server_gauges

_ALLOC_STATES = ("pending", "running", "complete", "failed", "lost", "unknown")


@dataclass(frozen=True)
class Gauge:
    name: str
    value: float
    labels: dict[str, str] = field(default_factory=dict)


def gauges(ctx: AgentContext) -> list[Gauge]:
    found = _runtime()
    if ctx.server is not None:
        found += _server(ctx)
    if ctx.client is not None:
        found += _client(ctx)
    return found


def _runtime() -> list[Gauge]:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    runs = sum(s.get("collections", 0) for s in gc.get_stats())
    try:
        tasks = len(asyncio.all_tasks())
    except RuntimeError:  # no loop in this thread
        tasks = 0
    return [Gauge("nomad.runtime.alloc_bytes", pages * os.sysconf("SC_PAGE_SIZE")),
            Gauge("nomad.runtime.num_goroutines", tasks),
            Gauge("nomad.runtime.total_gc_runs", runs)]


def _server(ctx: AgentContext) -> list[Gauge]:
    return [Gauge(name, value) for name, value in server_gauges(ctx.require_server()).items()]


def _client(ctx: AgentContext) -> list[Gauge]:
    client = ctx.require_client()
    labels = {"node_id": client.node_id, "host": socket.gethostname(),
              "datacenter": ctx.config.datacenter}
    statuses = Counter(client.alloc_client_statuses())
    found = [Gauge(f"nomad.client.allocations.{s}", statuses.get(s, 0), labels)
             for s in _ALLOC_STATES]
    memory = _meminfo()
    total, free = memory.get("MemTotal", 0), memory.get("MemFree", 0)
    available = memory.get("MemAvailable", free)
    found += [Gauge("nomad.client.host.memory.total", total, labels),
              Gauge("nomad.client.host.memory.available", available, labels),
              Gauge("nomad.client.host.memory.used", total - available, labels),
              Gauge("nomad.client.host.memory.free", free, labels),
              Gauge("nomad.client.uptime", _uptime(), labels)]
    return found


def _meminfo() -> dict[str, int]:
    found = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            found[name] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return found


def _uptime() -> float:
    return float(Path("/proc/uptime").read_text().split()[0])
