"""An allocation the server no longer lists is destroyed once, however often we pull.

The client pulls allocations with blocking queries; every pull that arrives while a
destroy waits for slow tasks (a long `kill_timeout`) still omits the allocation. Each
of those pulls used to start another destroy of the same runner.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from caravan.client.client import Client
from caravan.clock import SystemClock
from caravan.config.agent import AgentConfig
from caravan.ids import random_id


class SlowRunner:
    """Stands in for an AllocRunner whose tasks take their time to stop."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.stops = 0
        self.destroys = 0

    async def stop(self) -> None:
        self.stops += 1
        await self.release.wait()

    async def destroy(self) -> None:
        self.destroys += 1


def test_repeated_pulls_destroy_an_alloc_once(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int, bool]:
        client = Client(AgentConfig(), data_dir=tmp_path, http_addr="127.0.0.1:1",
                        servers=["127.0.0.1:1"], clock=SystemClock(), new_id=random_id)
        runner = SlowRunner()
        client._runners["a1"] = runner  # type: ignore[assignment]
        client._alloc_tasks["a1"] = asyncio.create_task(runner.release.wait())
        for _ in range(3):  # three pulls while the first destroy is still stopping tasks
            client._reconcile([])
            await asyncio.sleep(0.05)
        stopping = asyncio.create_task(client._destroy_alloc("a1"))  # agent shutdown
        await asyncio.sleep(0.05)
        waited = not stopping.done()  # shutdown waits for the destroy under way
        runner.release.set()
        await stopping
        await client._loops.aclose()
        await client.rpc.aclose()
        return runner.stops, runner.destroys, waited and "a1" not in client._runners

    stops, destroys, waited = asyncio.run(scenario())
    assert (stops, destroys) == (1, 1)
    assert waited
