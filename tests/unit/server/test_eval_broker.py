"""The eval broker: one eval per job in flight, blocked and delayed evals."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from caravan.server.eval_broker import EvalBroker
from caravan.structs import Evaluation


def _ev(eval_id: str, job: str, **kw: object) -> Evaluation:
    return Evaluation(id=eval_id, job_id=job, **kw)  # type: ignore[arg-type]


def test_second_eval_of_a_job_waits_for_ack() -> None:
    async def scenario() -> list[str]:
        broker = EvalBroker()
        broker.enqueue(_ev("a1", "a"))
        broker.enqueue(_ev("a2", "a"))
        broker.enqueue(_ev("b1", "b"))
        order = [(await broker.dequeue()).id, (await broker.dequeue()).id]
        late = asyncio.create_task(broker.dequeue())
        await asyncio.sleep(0.01)
        assert not late.done()  # a2 is held while a1 is in flight
        broker.ack(_ev("a1", "a"))
        order.append((await asyncio.wait_for(late, 1)).id)
        return order

    assert asyncio.run(scenario()) == ["a1", "b1", "a2"]


def test_blocked_evals_replace_per_job_and_are_taken() -> None:
    broker = EvalBroker()
    assert broker.block(_ev("x1", "x")) is None
    replaced = broker.block(_ev("x2", "x"))
    assert replaced is not None and replaced.id == "x1"
    broker.block(_ev("y1", "y"))
    assert [e.id for e in broker.take_blocked("default", "x")] == ["x2"]
    assert [e.id for e in broker.take_blocked()] == ["y1"]
    assert broker.take_blocked() == []


def test_delayed_eval_is_held_until_wait_until() -> None:
    async def scenario() -> bool:
        broker = EvalBroker()
        when = datetime.now(UTC) + timedelta(seconds=0.3)
        broker.enqueue(_ev("d1", "d", wait_until=when.isoformat().replace("+00:00", "Z")))
        assert broker.stats()["delayed"] == 1
        try:
            await asyncio.wait_for(broker.dequeue(), 0.1)
            return False
        except TimeoutError:
            pass
        got = await asyncio.wait_for(broker.dequeue(), 2)
        return got.id == "d1"

    assert asyncio.run(scenario())
