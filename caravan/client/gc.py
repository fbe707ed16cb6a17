"""The client's garbage collector: removes the dirs of terminal allocations under limits.

    mark(alloc)         an allocation's tasks are all dead: it becomes collectable
                        (oldest first), and the limits are checked at once
    every gc_interval   while the alloc dir's filesystem is fuller than
                        gc_disk_usage_threshold (blocks) or gc_inode_usage_threshold
                        (inodes), or this client holds more than gc_max_allocs
                        allocations: collect the oldest terminal one
    collect(alloc)      `/v1/client/allocation/<id>/gc`: that one, now (False when it
                        is not a terminal allocation this client still holds)
    collect_all()       `/v1/client/gc`: every terminal one

Collecting is the client's own destroy (tasks forgotten, alloc dir and state removed);
the server keeps the allocation until its own GC. At most `gc_parallel_destroys`
destroys run at once. Nomad's rules and defaults (client/gc.go).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from caravan.config.agent import ClientConfig

log = logging.getLogger(__name__)

Destroy = Callable[[str], Awaitable[bool]]


def usage_percent(path: Path) -> tuple[float, float]:
    """(blocks used %, inodes used %) of the filesystem holding `path`, as `df` counts
    (blocks reserved for root count as neither used nor available)."""
    st = os.statvfs(path)
    used = st.f_blocks - st.f_bfree
    blocks = used * 100.0 / (used + st.f_bavail) if used + st.f_bavail else 0.0
    inodes = (st.f_files - st.f_ffree) * 100.0 / st.f_files if st.f_files else 0.0
    return blocks, inodes


class AllocGarbageCollector:
    def __init__(self, config: ClientConfig, alloc_root: Path, held: Callable[[], int],
                 destroy: Destroy) -> None:
        self._config = config
        self._alloc_root = alloc_root
        self._held = held            # allocations this client holds (terminal or not)
        self._destroy = destroy      # the client's destroy; False when it could not
        self._terminal: dict[str, None] = {}   # insertion order: oldest first
        self._slots = asyncio.Semaphore(config.gc_parallel_destroys)
        self._wake = asyncio.Event()

    def mark(self, alloc_id: str) -> None:
        """The allocation's tasks are all dead; idempotent."""
        if alloc_id not in self._terminal:
            self._terminal[alloc_id] = None
            self._wake.set()

    def forget(self, alloc_id: str) -> None:
        """The allocation was destroyed another way (the server no longer lists it)."""
        self._terminal.pop(alloc_id, None)

    async def run(self) -> None:
        """Check the limits every `gc_interval` and whenever an allocation is marked;
        ends only when cancelled."""
        while True:
            try:
                async with asyncio.timeout(self._config.gc_interval):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            await self.keep_below_limits()

    async def keep_below_limits(self) -> list[str]:
        """Collect the oldest terminal allocations while a limit is exceeded."""
        collected: list[str] = []
        while (reason := await asyncio.to_thread(self._over_limit)) and self._terminal:
            alloc_id = next(iter(self._terminal))
            if await self._collect(alloc_id, reason):
                collected.append(alloc_id)
            else:
                break   # it could not go now; the next pass tries again
        return collected

    async def collect(self, alloc_id: str) -> bool:
        return alloc_id in self._terminal and await self._collect(alloc_id, "forced collection")

    async def collect_all(self) -> list[str]:
        ids = list(self._terminal)
        done = await asyncio.gather(*(self._collect(i, "forced full node collection")
                                      for i in ids))
        return [alloc_id for alloc_id, ok in zip(ids, done) if ok]

    async def _collect(self, alloc_id: str, reason: str) -> bool:
        async with self._slots:
            if alloc_id not in self._terminal:
                return False   # collected meanwhile by another caller
            del self._terminal[alloc_id]
            log.info("garbage collecting allocation %s: %s", alloc_id, reason)
            if await self._destroy(alloc_id):
                return True
            self._terminal = {alloc_id: None, **self._terminal}
            return False

    def _over_limit(self) -> str:
        cfg = self._config
        disk, inodes = usage_percent(self._alloc_root)
        if disk > cfg.gc_disk_usage_threshold:
            return f"disk usage of {disk:.0f} is over gc threshold of " \
                   f"{cfg.gc_disk_usage_threshold:.0f}"
        if inodes > cfg.gc_inode_usage_threshold:
            return f"inode usage of {inodes:.0f} is over gc threshold of " \
                   f"{cfg.gc_inode_usage_threshold:.0f}"
        held = self._held()
        if held > cfg.gc_max_allocs:
            return f"number of allocations ({held}) is over the limit ({cfg.gc_max_allocs})"
        return ""
