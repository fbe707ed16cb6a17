"""The client's alloc garbage collector: which terminal allocations go, in what order."""

from __future__ import annotations

import asyncio
from pathlib import Path

from caravan.client.gc import AllocGarbageCollector, usage_percent
from caravan.config.agent import ClientConfig


class Held:
    """Allocations the 'client' holds; destroy removes one (or refuses, when told)."""

    def __init__(self, *ids: str, refuse: tuple[str, ...] = ()) -> None:
        self.ids = list(ids)
        self.refuse = set(refuse)
        self.destroyed: list[str] = []

    async def destroy(self, alloc_id: str) -> bool:
        if alloc_id in self.refuse:
            return False
        self.ids.remove(alloc_id)
        self.destroyed.append(alloc_id)
        return True


def _gc(tmp_path: Path, held: Held, **config: object) -> AllocGarbageCollector:
    cfg = ClientConfig(gc_disk_usage_threshold=100, gc_inode_usage_threshold=100, **config)
    return AllocGarbageCollector(cfg, tmp_path, lambda: len(held.ids), held.destroy)


def test_over_max_allocs_the_oldest_terminal_ones_go(tmp_path: Path) -> None:
    held = Held("running", "old", "mid", "new")
    gc = _gc(tmp_path, held, gc_max_allocs=2)
    for alloc_id in ("old", "mid", "new"):
        gc.mark(alloc_id)
    gc.mark("old")   # marking twice keeps its place
    assert asyncio.run(gc.keep_below_limits()) == ["old", "mid"]
    assert held.ids == ["running", "new"]


def test_running_allocations_are_never_collected(tmp_path: Path) -> None:
    held = Held("a", "b", "c")
    gc = _gc(tmp_path, held, gc_max_allocs=1)
    gc.mark("c")
    assert asyncio.run(gc.keep_below_limits()) == ["c"]
    assert held.ids == ["a", "b"]   # still over the limit, but nothing terminal is left


def test_a_full_disk_collects_every_terminal_allocation(tmp_path: Path) -> None:
    held = Held("x", "y", "z")
    cfg = ClientConfig(gc_disk_usage_threshold=0, gc_max_allocs=50)
    gc = AllocGarbageCollector(cfg, tmp_path, lambda: len(held.ids), held.destroy)
    gc.mark("x")
    gc.mark("y")
    assert asyncio.run(gc.keep_below_limits()) == ["x", "y"]
    blocks, inodes = usage_percent(tmp_path)
    assert 0 < blocks <= 100 and 0 < inodes <= 100


def test_forced_collection_of_one_and_of_all(tmp_path: Path) -> None:
    held = Held("a", "b", "c", "live", refuse=("c",))
    gc = _gc(tmp_path, held)
    for alloc_id in ("a", "b", "c"):
        gc.mark(alloc_id)
    assert asyncio.run(gc.collect("a")) is True
    assert asyncio.run(gc.collect("a")) is False       # already gone
    assert asyncio.run(gc.collect("live")) is False    # not terminal
    gc.forget("b")                                     # destroyed another way
    assert asyncio.run(gc.collect_all()) == []         # "c" refused: it stays marked
    held.refuse.clear()
    assert asyncio.run(gc.collect_all()) == ["c"]
    assert held.ids == ["b", "live"]
