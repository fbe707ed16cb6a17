"""Keeping this node registered: register, then heartbeat at about half the TTL, forever.

A server that forgot the node (404) gets a fresh registration; a server that
cannot be reached is retried with growing pauses. Nothing here ever raises out of
`run()` except cancellation: a client outlives any server outage.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from caravan.client.rpc import ServerRPC
from caravan.errors import CaravanError, NotFound
from caravan.structs import Node

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 0.5
MAX_BACKOFF_S = 5.0


def next_heartbeat_s(ttl_ns: int, rand: random.Random) -> float:
    """About half the TTL, minus up to 20% jitter so many nodes do not beat in step."""
    half = ttl_ns / 2e9
    return max(MIN_INTERVAL_S, half * rand.uniform(0.8, 1.0))


class Heartbeater:
    def __init__(self, rpc: ServerRPC, node: Callable[[], Node], secret: str,
                 rand: random.Random | None = None) -> None:
        self.rpc = rpc
        self.node = node
        self.secret = secret
        self.rand = rand or random.Random()
        self.registered = asyncio.Event()
        self._register_needed = True
        self._wake = asyncio.Event()

    def reregister(self) -> None:
        """Send the node again soon (its drivers or attributes changed)."""
        self._register_needed = True
        self._wake.set()

    async def run(self) -> None:
        backoff = MIN_INTERVAL_S
        while True:
            try:
                ttl_ns = await self._beat()
            except CaravanError as err:
                log.warning("heartbeat failed, retrying in %.1fs: %s", backoff, err)
                await self._sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            backoff = MIN_INTERVAL_S
            await self._sleep(next_heartbeat_s(ttl_ns, self.rand))

    async def _beat(self) -> int:
        node = self.node()
        if self._register_needed:
            self._register_needed = False
            try:
                reply = await self.rpc.register(node, self.secret)
            except BaseException:
                self._register_needed = True
                raise
            log.info("node %s registered", node.id)
            self.registered.set()
            return reply.heartbeat_ttl
        try:
            return await self.rpc.heartbeat(node.id)
        except NotFound:
            log.info("server does not know this node any more; registering again")
            self._register_needed = True
            return 0

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass
