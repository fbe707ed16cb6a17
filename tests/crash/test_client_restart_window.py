"""Right after an agent restart its HTTP API is up before its client has its saved
allocations back. A request for one of them in that moment must wait and answer for
the allocation, never say it is unknown (or, to alloc debug, garbage collected)."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.agents import wait_until
from tests.crash.client_agent import CrashAgent, job
from tests.crash.client_fixtures import crash_agent  # noqa: F401

pytestmark = pytest.mark.integration


def test_the_first_client_request_after_a_restart_finds_the_allocation(
        crash_agent: CrashAgent) -> None:
    agent = crash_agent.start()
    agent.register(job("keep", 1))
    wait_until(lambda: agent.running("keep") == 1, 60, what="keep running")
    alloc_id = agent.allocs("keep")[0]["ID"]
    agent.kill()

    started = threading.Thread(target=agent.start, daemon=True)
    started.start()
    # The first answer the new process gives, asked as early as it listens.
    first = None
    url = f"{agent.address}/v1/client/fs/ls/{alloc_id}"
    while first is None and started.is_alive():
        try:
            first = httpx.get(url, params={"path": "/"}, timeout=30)
        except httpx.TransportError:
            continue
    started.join(60)
    assert first is not None, "the agent was ready before any answer was seen"
    assert first.status_code == 200, first.text
    assert "alloc" in {entry["Name"] for entry in first.json()}
