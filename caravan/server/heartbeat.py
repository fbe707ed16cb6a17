"""Node liveness: a deadline per node, reset by heartbeats; a missed one marks the node down.

Marking a node down is a state write; when it fails (`WriteFailed`, say the disk is
full) the node gets a short retry deadline instead, so the loop lives on and the node
is marked down once the write succeeds, unless it heartbeats first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from caravan.errors import WriteFailed
from caravan.server.write_retry import retry_delay_s

log = logging.getLogger(__name__)

# After a server (re)start every node gets this long to heartbeat again (Nomad's
# FailoverHeartbeatTTL): clients back off while the server is away, and a restart
# must not mark them all down and replace every allocation they run.
FAILOVER_TTL_S = 300.0


class HeartbeatTracker:
    """Owns one loop (`run`) that expires deadlines; `reset` is called per heartbeat."""

    def __init__(self, ttl_s: float, grace_s: float, on_expired: Callable[[str], None]) -> None:
        self.ttl_s = ttl_s
        self._grace_s = grace_s
        self._on_expired = on_expired
        self._deadlines: dict[str, float] = {}
        self._failures: dict[str, int] = {}

    def reset(self, node_id: str) -> float:
        """Restart `node_id`'s deadline; returns the TTL the client should heartbeat within."""
        loop = asyncio.get_running_loop()
        self._deadlines[node_id] = loop.time() + self.ttl_s + self._grace_s
        self._failures.pop(node_id, None)
        return self.ttl_s

    def failover(self, node_id: str, ttl_s: float = FAILOVER_TTL_S) -> None:
        """Give `node_id` `ttl_s` to heartbeat: the server just started and its clients
        may still be backing off; their first heartbeat puts them on the usual TTL."""
        self._deadlines[node_id] = asyncio.get_running_loop().time() + ttl_s
        self._failures.pop(node_id, None)

    def deadline(self, node_id: str) -> float | None:
        """When `node_id` is marked down unless it heartbeats (event loop time)."""
        return self._deadlines.get(node_id)

    def forget(self, node_id: str) -> None:
        self._deadlines.pop(node_id, None)
        self._failures.pop(node_id, None)

    def clear(self) -> None:
        """Drop every deadline (this server stopped leading)."""
        self._deadlines.clear()
        self._failures.clear()

    async def run(self, tick_s: float = 0.5) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(tick_s)
            now = loop.time()
            expired = [n for n, deadline in self._deadlines.items() if deadline <= now]
            for node_id in expired:
                del self._deadlines[node_id]
                log.warning("node %s missed its heartbeat; marking it down", node_id)
                self._expire(node_id, now)

    def _expire(self, node_id: str, now: float) -> None:
        try:
            self._on_expired(node_id)
        except WriteFailed as e:
            failures = self._failures[node_id] = self._failures.get(node_id, 0) + 1
            delay = retry_delay_s(failures)
            log.warning("node %s: could not mark it down: %s; trying again in %.2fs",
                        node_id, e.message, delay)
            self._deadlines[node_id] = now + delay
            return
        self._failures.pop(node_id, None)
