"""A rolling update of 20 allocations (`max_parallel = 5`, `min_healthy_time = "0s"`), next
to the same change made by stopping the job and running it again, measured in one run.

    python bench/bench_rolling_update.py [-n 20] [--max-parallel 5]

Rolling: from registering the changed job to its deployment "successful" (every old
allocation replaced, five at a time, each batch once the one before is healthy).
Baseline: from `job stop` of the running job to all 20 allocations of the job run
again reported running (no deployment gating: everything is placed at once). The tasks
are raw_exec `sleep 600`. One -dev agent, started and stopped here. Prints the figures,
then a last line of JSON (`bench/metric.py`): {"metric", "caravan", "baseline", "unit",
"target"}; the target is at most four times the baseline (four batches of five against
one of twenty).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402

JOB_ID = "bench-rolling"


def job(count: int, max_parallel: int, version: str) -> dict[str, Any]:
    task = {"Name": "main", "Driver": "raw_exec", "KillTimeout": 1_000_000_000,
            "Config": {"command": "/bin/sleep", "args": ["600"]},
            "Env": {"VERSION": version}, "Resources": {"CPU": 20, "MemoryMB": 16}}
    group = {"Name": "main", "Count": count, "Tasks": [task],
             "Update": {"MaxParallel": max_parallel, "MinHealthyTime": 0,
                        "HealthCheck": "task_states", "HealthyDeadline": 120_000_000_000,
                        "ProgressDeadline": 300_000_000_000}}
    return {"Job": {"ID": JOB_ID, "Type": "service", "Datacenters": ["*"],
                    "TaskGroups": [group]}}


def wait(http: httpx.Client, done: Any, what: str, timeout_s: float = 300.0) -> None:
    """Blocking queries on the job's allocations until `done(http)`."""
    deadline = time.monotonic() + timeout_s
    index = 0
    while not done(http):
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        reply = http.get(f"/v1/job/{JOB_ID}/allocations",
                         params={"index": index, "wait": "2s"})
        index = int(reply.headers.get("X-Nomad-Index", index))


def running(http: httpx.Client, version: int) -> int:
    allocs = http.get(f"/v1/job/{JOB_ID}/allocations").json()
    return sum(a["ClientStatus"] == "running" and a["DesiredStatus"] == "run"
               and a["JobVersion"] == version for a in allocs)


def deployed(http: httpx.Client, version: int) -> bool:
    d = http.get(f"/v1/job/{JOB_ID}/deployment").json()
    return bool(d) and d["JobVersion"] == version and d["Status"] == "successful"


def measure(http: httpx.Client, n: int, max_parallel: int) -> tuple[float, float]:
    http.post("/v1/jobs", json=job(n, max_parallel, "1")).raise_for_status()
    wait(http, lambda h: deployed(h, 0), "the first version")
    start = time.perf_counter()
    http.post("/v1/jobs", json=job(n, max_parallel, "2")).raise_for_status()
    wait(http, lambda h: deployed(h, 1) and running(h, 1) == n, "the rolling update")
    rolling = time.perf_counter() - start
    start = time.perf_counter()
    http.delete(f"/v1/job/{JOB_ID}").raise_for_status()
    wait(http, lambda h: running(h, 1) == 0, "the job stopped")
    http.post("/v1/jobs", json=job(n, max_parallel, "3")).raise_for_status()
    wait(http, lambda h: running(h, 2) == n, "the job running again")
    baseline = time.perf_counter() - start
    return rolling, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--max-parallel", type=int, default=5)
    args = parser.parse_args()
    agent = AgentProcess(root=Path(tempfile.mkdtemp(prefix="bench-rolling-")), name="bench")
    agent.start(timeout_s=120)
    try:
        with httpx.Client(base_url=agent.address, timeout=60) as http:
            rolling, baseline = measure(http, args.n, args.max_parallel)
        http_stop = httpx.delete(f"{agent.address}/v1/job/{JOB_ID}?purge=true", timeout=60)
        http_stop.raise_for_status()
    finally:
        agent.stop()
    print(f"rolling update of {args.n} allocs, max_parallel {args.max_parallel}, "
          f"min_healthy_time 0s: {rolling:.2f} s")
    print(f"baseline: job stop + run again of the same {args.n} allocs: {baseline:.2f} s")
    print(f"ratio: {rolling / baseline:.2f}x (four batches against one)")
    emit(f"rolling update of {args.n} allocs, max_parallel {args.max_parallel}, vs stop + run",
         caravan=round(rolling, 3), baseline=round(baseline, 3), unit="s", target="<=4x")


if __name__ == "__main__":
    main()
