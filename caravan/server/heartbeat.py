"""Node liveness: a deadline per node, reset by heartbeats; a missed one marks the node down."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class HeartbeatTracker:
    """Owns one loop (`run`) that expires deadlines; `reset` is called per heartbeat."""

    def __init__(self, ttl_s: float, grace_s: float, on_expired: Callable[[str], None]) -> None:
        self.ttl_s = ttl_s
        self._grace_s = grace_s
        self._on_expired = on_expired
        self._deadlines: dict[str, float] = {}

    def reset(self, node_id: str) -> float:
        """Restart `node_id`'s deadline; returns the TTL the client should heartbeat within."""
        loop = asyncio.get_running_loop()
        self._deadlines[node_id] = loop.time() + self.ttl_s + self._grace_s
        return self.ttl_s

    def forget(self, node_id: str) -> None:
        self._deadlines.pop(node_id, None)

    async def run(self, tick_s: float = 0.5) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(tick_s)
            now = loop.time()
            expired = [n for n, deadline in self._deadlines.items() if deadline <= now]
            for node_id in expired:
                del self._deadlines[node_id]
                log.warning("node %s missed its heartbeat; marking it down", node_id)
                self._on_expired(node_id)
