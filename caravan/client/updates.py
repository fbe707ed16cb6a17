"""Reporting allocation state to the server, batched by the send in flight, not by a timer.

Allocations are marked dirty as they change; the reporter sends the *current* state
of every dirty allocation, so the last state always goes out. The first change goes
at once (a task that starts is `running` on the server a round trip later, not after
a batching window); changes made while a send is in flight wait for it and go
together in the next one, so a burst costs few requests. A failed send keeps them
dirty and retries with a pause.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from caravan.client.rpc import ServerRPC
from caravan.errors import CaravanError
from caravan.structs import AllocClientUpdate

log = logging.getLogger(__name__)

RETRY_S = 1.0


class UpdateReporter:
    def __init__(self, rpc: ServerRPC, node_id: str,
                 current: Callable[[str], AllocClientUpdate | None]) -> None:
        self.rpc = rpc
        self.node_id = node_id
        self.current = current  # the latest update for an alloc, None once it is gone
        self._dirty: set[str] = set()
        self._pending = asyncio.Event()

    def mark(self, alloc_id: str) -> None:
        self._dirty.add(alloc_id)
        self._pending.set()

    async def run(self) -> None:
        while True:
            await self._pending.wait()
            await asyncio.sleep(0)  # changes made in this same turn of the loop join in
            if not await self.flush():
                await asyncio.sleep(RETRY_S)

    async def flush(self) -> bool:
        """Send every dirty allocation now; False (and still dirty) when the send failed."""
        self._pending.clear()
        ids, self._dirty = self._dirty, set()
        updates = [u for u in map(self.current, sorted(ids)) if u is not None]
        if not updates:
            return True
        try:
            await self.rpc.update_allocs(self.node_id, updates)
        except CaravanError as err:
            log.warning("could not report %d allocation(s): %s", len(updates), err)
            self._dirty |= ids
            self._pending.set()
            return False
        return True
