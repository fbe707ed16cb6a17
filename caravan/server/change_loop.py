"""The loop of the leader's watchers (deployments, drains): one pass whenever a table
they read changes, and at least once a tick, for the deadlines that pass with no write."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from caravan.errors import WriteFailed
from caravan.server.state import StateStore

log = logging.getLogger(__name__)


async def run_on_changes(store: StateStore, tables: Iterable[str], tick_s: float,
                         advance: Callable[[], None], name: str) -> None:
    tables = tuple(tables)
    index = 0
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        seen = await store.wait_for_change(tables, index, tick_s)
        if seen == index:
            # Nothing changed. A store stopping for shutdown answers at once: without
            # this pause the loop would never yield and the agent never stop.
            await asyncio.sleep(max(0.0, tick_s - (loop.time() - started)))
        index = seen
        try:
            advance()
        except WriteFailed as e:  # the next change or tick tries again
            log.warning("%s: %s", name, e.message)
