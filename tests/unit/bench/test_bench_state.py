"""The scheduler benches keep their own in-memory state (indexed, for speed): it must
keep up with the scheduler's state protocol, or `bench/run` prints an error row."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from caravan.clock import SystemClock
from caravan.server.scheduler import schedule
from caravan.structs import Evaluation

BENCH = Path(__file__).resolve().parents[3] / "bench"


def test_the_bench_state_schedules_a_small_job() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import bench_scheduler as bench
    finally:
        sys.path.remove(str(BENCH))
    nodes = bench.make_nodes(20)
    job = bench.make_job().model_copy(deep=True)
    job.task_groups[0].count = 30
    state = bench.MemoryState(nodes, [job])
    ids = (f"{i:08x}-1111-2222-3333-444444444444" for i in itertools.count())
    evaluation = Evaluation(id="5eed0000-0000-0000-0000-000000000000", job_id=job.id,
                            triggered_by="job-register", status="pending")
    result = schedule(evaluation, state, new_id=lambda: next(ids), clock=SystemClock())
    placed = result.plan.placements()
    assert len(placed) == 30
    ok, _ = bench.check(nodes, placed)
    assert ok
