"""The scheduler never changes what it is given."""

from __future__ import annotations

from typing import Any

import pytest

from caravan.server.scheduler import schedule
from caravan.structs import Job

from .factories import NOW, SECOND, FixedClock, Ids, MemoryState, alloc, evaluation, job, node, task


def snapshot(state: MemoryState) -> list[dict[str, Any]]:
    objects = list(state.nodes()) + list(state._jobs.values()) + list(state._allocs.values())
    return [o.model_dump() for o in objects]


def scenario(kind: str) -> tuple[MemoryState, Job]:
    up, down = node(1), node(2, status="down")
    v0 = job(count=3, type="system" if kind == "system" else "service")
    v1 = v0.model_copy(update={"version": 1, "task_groups": [
        v0.task_groups[0].model_copy(update={"tasks": [task(memory=300)], "count": 4})]})
    existing = [alloc(v0, up, 0), alloc(v0, down, 1),
                alloc(v0, up, 2, client_status="failed", modify_time=NOW - 5 * SECOND)]
    if kind == "stop":
        v1 = v1.model_copy(update={"stop": True})
    if kind == "inplace":
        v1 = v0.model_copy(update={"version": 1})
    return MemoryState([up, down], [v1], existing), v1


@pytest.mark.parametrize("kind", ["service", "inplace", "stop", "system"])
def test_inputs_are_not_mutated(kind: str) -> None:
    state, j = scenario(kind)
    ev = evaluation(j)
    before, eval_before = snapshot(state), ev.model_dump()
    result = schedule(ev, state, new_id=Ids(), clock=FixedClock())
    assert not result.plan.is_noop()
    assert snapshot(state) == before
    assert ev.model_dump() == eval_before
    assert result.eval_update is not ev
