"""Supervisor: a critical task that dies is reported; stopping reaps everything."""

from __future__ import annotations

import asyncio
import logging

import pytest

from caravan.supervisor import Supervisor


async def _forever() -> None:
    await asyncio.Event().wait()


async def _boom() -> None:
    await asyncio.sleep(0)
    raise ValueError("boom")


def test_a_dying_critical_task_is_reported_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> str:
        loops = Supervisor("client")
        loops.spawn(_forever(), "watch")
        loops.spawn(_boom(), "heartbeat")
        failure = await loops.wait_failed()
        await loops.aclose()
        return str(failure)

    with caplog.at_level(logging.ERROR, logger="caravan.supervisor"):
        text = asyncio.run(main())
    assert text == "client heartbeat loop stopped unexpectedly (ValueError: boom)"
    assert any(r.exc_info and "task heartbeat failed" in r.getMessage() for r in caplog.records)


def test_a_critical_task_that_returns_is_a_failure() -> None:
    async def main() -> str:
        loops = Supervisor("server")
        loops.spawn(asyncio.sleep(0), "heartbeats")
        return str(await loops.wait_failed())

    assert asyncio.run(main()) == "server heartbeats loop stopped unexpectedly (it returned)"


def test_non_critical_failures_are_logged_not_reported(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> bool:
        loops = Supervisor("client")
        task = loops.spawn(_boom(), "destroy a1", critical=False)
        await asyncio.wait({task})
        await asyncio.sleep(0)
        reported = loops.failure is not None
        await loops.aclose()
        return reported

    with caplog.at_level(logging.ERROR, logger="caravan.supervisor"):
        assert asyncio.run(main()) is False
    assert "task destroy a1 failed" in caplog.text


def test_aclose_cancels_and_waits_for_every_task_even_when_cancelled() -> None:
    ended: list[str] = []

    async def slow_cleanup() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0.05)  # cleanup that outlives the first cancellation
            ended.append("cleanup")

    async def main() -> None:
        loops = Supervisor("agent")
        loops.spawn(slow_cleanup(), "loop")
        await asyncio.sleep(0)
        closing = asyncio.create_task(loops.aclose())
        await asyncio.sleep(0)
        closing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await closing
        assert ended == ["cleanup"]  # reaped before the cancellation went on
        assert loops.failure is None  # stopping is not a failure
        with pytest.raises(RuntimeError):
            loops.spawn(_forever(), "late")

    asyncio.run(main())
