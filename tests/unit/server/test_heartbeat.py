"""The heartbeat loop: a node-down write that fails is retried, the loop lives on."""

from __future__ import annotations

import asyncio

from caravan.errors import StorageFull
from caravan.server.heartbeat import FAILOVER_TTL_S, HeartbeatTracker
from caravan.server.write_retry import MAX_DELAY_S, retry_delay_s


def test_retry_delays_double_up_to_the_cap() -> None:
    delays = [retry_delay_s(n) for n in range(1, 10)]
    assert delays[:3] == [0.25, 0.5, 1.0]
    assert delays == sorted(delays) and delays[-1] == MAX_DELAY_S


async def _expire_with_failing_writes(failures: int) -> list[str]:
    calls: list[str] = []
    done = asyncio.Event()

    def node_down(node_id: str) -> None:
        calls.append(node_id)
        if len(calls) <= failures:
            raise StorageFull("database or disk is full", where="/data")
        done.set()

    tracker = HeartbeatTracker(ttl_s=0.0, grace_s=0.0, on_expired=node_down)
    tracker.reset("n1")
    loop = asyncio.create_task(tracker.run(tick_s=0.01))
    try:
        async with asyncio.timeout(10):
            await done.wait()
        assert not loop.done(), "the heartbeat loop died"
        assert tracker.deadline("n1") is None
    finally:
        loop.cancel()
    return calls


def test_a_failed_node_down_write_is_retried_and_the_loop_survives() -> None:
    assert asyncio.run(_expire_with_failing_writes(2)) == ["n1", "n1", "n1"]


async def _failover_left() -> float:
    tracker = HeartbeatTracker(ttl_s=10.0, grace_s=10.0, on_expired=lambda n: None)
    tracker.failover("n1")
    deadline = tracker.deadline("n1")
    assert deadline is not None
    return deadline - asyncio.get_running_loop().time()


def test_failover_gives_nodes_nomads_five_minutes() -> None:
    assert FAILOVER_TTL_S == 300.0
    assert asyncio.run(_failover_left()) > 290
