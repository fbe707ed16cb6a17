"""End-to-end placements/s: what a user waits on, not the `schedule()` call alone.

    python bench/bench_scheduler_e2e.py [--nodes 5000] [--jobs 100] [--count 100]

One server agent process (no client). --nodes simulated nodes register through the
HTTP API (`PUT /v1/node/register`, as a client does; no client processes, heartbeat
grace long enough that none goes down), then --jobs service jobs of --count
allocations each, with constraints (`${attr.kernel.name} = linux`,
`${attr.cpu.arch} = amd64`, two datacenters), are submitted through `POST /v1/jobs`.
The clock runs from the first submission until every evaluation is complete, i.e. every
plan applied and its allocations written to the server's SQLite store (a blocking query
on /v1/evaluations wakes the bench on each change). Then the allocations are counted
through /v1/allocations. The baseline, measured in the same run: the same jobs placed
by pure `schedule()` calls in this process on the same nodes (no HTTP, no store) — the
ceiling of the end-to-end figure. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_scheduler import MemoryState, make_nodes  # noqa: E402
from caravan.clock import SystemClock  # noqa: E402
from caravan.server.scheduler import schedule  # noqa: E402
from caravan.structs import Evaluation, Job, Node  # noqa: E402
from metric import emit  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402

CPU, MEMORY = 100, 64
CONSTRAINTS = [{"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="},
               {"LTarget": "${attr.cpu.arch}", "RTarget": "amd64", "Operand": "="}]


def job_body(i: int, count: int) -> dict[str, Any]:
    return {"Job": {
        "ID": f"e2e-{i}", "Type": "service", "Datacenters": ["dc1", "dc2"],
        "Constraints": CONSTRAINTS,
        "TaskGroups": [{"Name": "g", "Count": count, "Tasks": [{
            "Name": "t", "Driver": "raw_exec", "Config": {"command": "/bin/true"},
            "Resources": {"CPU": CPU, "MemoryMB": MEMORY}}]}]}}


def register_nodes(address: str, nodes: list[Node]) -> float:
    """Seconds to register every node, 8 connections at a time."""
    local = threading.local()

    def one(node: Node) -> None:
        http = getattr(local, "http", None)
        if http is None:
            http = local.http = httpx.Client(base_url=address, timeout=60)
        wire = node.to_wire()
        wire["SecretID"] = f"secret-{node.id}"
        http.put("/v1/node/register", json={"Node": wire}).raise_for_status()

    start = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, nodes))
    return time.perf_counter() - start


def submit_and_wait(http: httpx.Client, jobs: int, count: int) -> tuple[float, float]:
    """(seconds to submit every job, seconds until every evaluation is complete)."""
    start = time.perf_counter()
    for i in range(jobs):
        http.post("/v1/jobs", json=job_body(i, count)).raise_for_status()
    submitted = time.perf_counter() - start
    index = 0
    while True:
        r = http.get("/v1/evaluations", params={"index": index, "wait": "30s"})
        evals = r.json()
        done = [e for e in evals if e["Status"] in ("complete", "failed", "canceled")]
        if len(evals) >= jobs and len(done) == len(evals):
            return submitted, time.perf_counter() - start
        index = int(r.headers["X-Nomad-Index"])


def pure_schedule(nodes: list[Node], jobs: int, count: int) -> tuple[int, float]:
    """The same jobs through `schedule()` alone: (placed, seconds)."""
    structs = [Job.model_validate(job_body(i, count)["Job"]) for i in range(jobs)]
    from caravan.structs import canonicalize

    structs = [canonicalize(j) for j in structs]
    state = MemoryState(nodes, structs)
    ids = (f"{i:08x}-1111-2222-3333-444444444444" for i in itertools.count())
    placed = 0
    start = time.perf_counter()
    for n, job in enumerate(structs):
        ev = Evaluation(id=f"{n:08x}-0000-0000-0000-000000000000", job_id=job.id,
                        triggered_by="job-register", status="pending")
        result = schedule(ev, state, new_id=lambda: next(ids), clock=SystemClock())
        allocs = result.plan.placements()
        state.add(allocs)
        placed += len(allocs)
    return placed, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--profile", default="", help="py-spy the server while it places: "
                        "collapsed stacks into this file")
    args = parser.parse_args()
    nodes = make_nodes(args.nodes)
    total = args.jobs * args.count
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as root:
        agent = AgentProcess(root=Path(root), name="e2e", dev=False, client=False,
                             heartbeat_grace="1h", min_heartbeat_ttl="1h")
        try:
            agent.start()
            register_s = register_nodes(agent.address, nodes)
            spy = None
            if args.profile:
                assert agent.proc is not None
                spy = subprocess.Popen(["py-spy", "record", "-r", "200", "-f", "raw", "-o",
                                        args.profile, "--pid", str(agent.proc.pid)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            with httpx.Client(base_url=agent.address, timeout=120) as http:
                submit_s, e2e_s = submit_and_wait(http, args.jobs, args.count)
                if spy is not None:
                    spy.send_signal(signal.SIGINT)
                    spy.wait(30)
                allocs = http.get("/v1/allocations").json()
        finally:
            agent.stop(timeout_s=60)
    placed = sum(1 for a in allocs if a["ClientStatus"] == "pending")
    pure_placed, pure_s = pure_schedule(nodes, args.jobs, args.count)
    print(f"{args.nodes} nodes registered through the API in {register_s:.1f} s "
          f"({args.nodes / register_s:,.0f}/s, 8 connections)")
    print(f"{args.jobs} jobs x {args.count} allocations with constraints, over HTTP:")
    print(f"  submitted in {submit_s:.2f} s; every allocation durable after {e2e_s:.2f} s")
    print(f"  end to end: {placed:>6} placed = {placed / e2e_s:>9,.0f} placements/s "
          f"(all {total} placed: {placed == total})")
    print(f"  baseline, pure schedule() of the same jobs in-process: {pure_placed} placed "
          f"= {pure_placed / pure_s:,.0f} placements/s")
    print("  target: >= 5,000/s in one server process (Nomad's C1M: 3,750/s with 5 servers)")
    emit(f"end-to-end placements, {args.nodes} nodes, {args.jobs}x{args.count} over HTTP",
         placed / e2e_s, pure_placed / pure_s, "placements/s", ">=5000",
         all_placed=placed == total, register_per_s=args.nodes / register_s)


if __name__ == "__main__":
    main()
