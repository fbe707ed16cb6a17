"""Placement preferences: what `spread` and `affinity` cost the scheduler.

Run: `python bench/bench_placement_prefs.py`. Schedules one service job of count 2,000
onto 500 nodes (four racks in node meta) twice in the same run: plain (the baseline:
bin-packing walks two candidates per placement), then with a group `spread` over the
racks (targets r0 50% / r1 30%, r2 and r3 sharing the rest) and a job `affinity`. As in Nomad, a group with preferences
is compared over max(100, count) nodes per placement, so the second run scores every
node for every placement. Prints placements per second for both and the spread reached;
never asserts.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_scheduler import MemoryState, make_job, make_nodes  # noqa: E402
from caravan.clock import SystemClock  # noqa: E402
from caravan.server.scheduler import schedule  # noqa: E402
from caravan.structs import Affinity, Evaluation, Job, Spread, SpreadTarget  # noqa: E402
from metric import emit  # noqa: E402

COUNT, NODES = 2_000, 500


def run(job: Job, nodes: list) -> tuple[float, Counter[str]]:
    state = MemoryState(nodes, [job])
    ev = Evaluation(id="e0000000-0000-0000-0000-000000000000", job_id=job.id,
                    namespace=job.namespace, type="service", triggered_by="job-register",
                    status="pending", priority=50)
    ids = iter(range(10**9))
    started = time.perf_counter()
    result = schedule(ev, state, new_id=lambda: f"{next(ids):08x}-0000-0000-0000-000000000000",
                      clock=SystemClock())
    elapsed = time.perf_counter() - started
    rack = {n.id: n.meta["rack"] for n in nodes}
    placed = result.plan.placements()
    return len(placed) / elapsed, Counter(rack[a.node_id] for a in placed)


def main() -> None:
    nodes = make_nodes(NODES)
    for i, node in enumerate(nodes):
        node.meta = {"rack": f"r{i % 4}"}
    plain = make_job()
    plain.task_groups[0].count = COUNT
    preferring = plain.model_copy(deep=True)
    preferring.task_groups[0].spreads = [Spread(attribute="${meta.rack}", spread_target=[
        SpreadTarget(value="r0", percent=50), SpreadTarget(value="r1", percent=30)])]
    # matched by every node: it costs its scoring but leaves the racks to the spread
    preferring.affinities = [Affinity(l_target="${attr.kernel.name}", r_target="linux")]
    base_rate, base_racks = run(plain, nodes)
    rate, racks = run(preferring, nodes)
    print(f"  plain (baseline):   {base_rate:8,.0f} placements/s  racks {sorted(base_racks.items())}")
    print(f"  spread + affinity:  {rate:8,.0f} placements/s  racks {sorted(racks.items())}")
    emit(f"schedule() with spread + affinity, count {COUNT} on {NODES} nodes", caravan=rate,
         baseline=base_rate, unit="placements/s", target="")


if __name__ == "__main__":
    main()
