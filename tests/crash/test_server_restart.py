"""What a server does when it starts on the state a crash left behind.

* It died between freeing capacity and unblocking its blocked evaluations (two
  writes): those must not stay blocked forever, so at start every blocked evaluation
  gets one more pass, as if capacity had just changed.
* Its clients back off while it is away: at start every ready node gets Nomad's
  failover heartbeat TTL (5 minutes), not the usual seconds, so a restart does not mark
  nodes down and replace everything they run.

The state is written with the store itself (a real SQLite file), then a new server is
started on it, as the agent does after a crash.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from caravan.clock import SystemClock
from caravan.ids import random_id
from caravan.server.server import Server
from caravan.server.state import SqliteBackend
from caravan.structs import Evaluation
from tests.unit.scheduler.factories import job, node


def _server(data_dir: Path) -> Server:
    return Server(SqliteBackend(data_dir / "server" / "state.db"), clock=SystemClock(),
                  new_id=random_id, server_dir=data_dir / "server")


def _crashed_with_blocked_eval(data_dir: Path) -> None:
    """A ready node with room and a job whose eval is still "blocked" on disk."""
    server = _server(data_dir)
    j = job("waiting", count=2)
    txn = server.store.begin(SystemClock().now_ns())
    txn.nodes.append(node(1))
    txn.jobs.append(j)
    txn.evals.append(Evaluation(id=random_id(), namespace=j.namespace, job_id=j.id,
                                type=j.type, priority=j.priority,
                                triggered_by="queued-allocs", status="blocked"))
    server.store.commit(txn)
    server.store.close()   # no stop(): the process died here


async def _restart(data_dir: Path) -> tuple[int, float]:
    """(allocations placed for the blocked job, seconds node 1 has left to heartbeat)."""
    server = _server(data_dir)
    await server.start()
    try:
        deadline = server.heartbeats.deadline(node(1).id)
        assert deadline is not None
        left = deadline - asyncio.get_running_loop().time()
        async with asyncio.timeout(10):
            while not server.store.allocs_by_job("default", "waiting"):
                await server.store.wait_for_change(["allocs"], server.store.index, 1.0)
        return len(server.store.allocs_by_job("default", "waiting")), left
    finally:
        await server.stop()


def test_restart_unblocks_blocked_evals_and_gives_nodes_the_failover_ttl(
        tmp_path: Path) -> None:
    _crashed_with_blocked_eval(tmp_path)
    placed, heartbeat_left = asyncio.run(_restart(tmp_path))
    assert placed == 2
    assert heartbeat_left > 200, "a restarted server must give clients time to come back"
