"""The server's gauges for `/v1/metrics`, with Nomad's names, read when asked."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from caravan.server.server import Server


def server_gauges(server: Server) -> dict[str, float]:
    broker = server.broker.stats()
    statuses = Counter(j.status for j in server.store.jobs())
    return {
        "nomad.nomad.broker.total_ready": broker["ready"],
        "nomad.nomad.broker.total_unacked": broker["in_flight"],
        "nomad.nomad.broker.total_waiting": broker["delayed"],
        "nomad.nomad.blocked_evals.total_blocked": broker["blocked"],
        "nomad.raft.appliedIndex": server.store.index,
        **{f"nomad.nomad.job_status.{s}": statuses.get(s, 0)
           for s in ("pending", "running", "dead")},
    }
