"""Submit -> running latency of a one-task raw_exec job on a dev agent (median of N),
next to a plain fork/exec of the same command measured in the same run.

    python bench/bench_submit.py [-n 20]

Prints figures; asserts nothing. "Running" is the moment the server reports the
allocation's ClientStatus as running (what `caravan job status` would show), observed
with a blocking query on the job's allocations, so no polling interval is added.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402

COMMAND = ["/bin/sleep", "300"]


def job(job_id: str) -> dict[str, object]:
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [{
        "Name": "g", "Count": 1, "Tasks": [{
            "Name": "t", "Driver": "raw_exec", "KillTimeout": 200_000_000,
            "Config": {"command": COMMAND[0], "args": COMMAND[1:]},
            "Resources": {"CPU": 20, "MemoryMB": 16}}]}]}}


def submit_to_running(http: httpx.Client, job_id: str) -> float:
    start = time.perf_counter()
    http.post("/v1/jobs", json=job(job_id)).raise_for_status()
    index = 0
    while True:
        r = http.get(f"/v1/job/{job_id}/allocations", params={"index": index, "wait": "10s"})
        if any(a["ClientStatus"] == "running" for a in r.json()):
            return time.perf_counter() - start
        index = int(r.headers["X-Nomad-Index"])


def fork_exec() -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(COMMAND)
    elapsed = time.perf_counter() - start
    proc.kill()
    proc.wait()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=20)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as root:
        agent = AgentProcess(root=Path(root), name="bench").start()
        try:
            with httpx.Client(base_url=agent.address, timeout=30) as http:
                submit_to_running(http, "warmup")
                runs = [submit_to_running(http, f"bench-{i}") for i in range(n)]
                for i in range(n):
                    http.delete(f"/v1/job/bench-{i}", params={"purge": "true"})
        finally:
            agent.stop()
    baseline = [fork_exec() for _ in range(n)]
    med, base = statistics.median(runs), statistics.median(baseline)
    print(f"submit -> running, raw_exec, median of {n}: {med * 1000:8.1f} ms "
          f"(p90 {sorted(runs)[int(n * 0.9) - 1] * 1000:.1f} ms)")
    print(f"baseline: plain fork/exec of {' '.join(COMMAND)}: {base * 1000:8.2f} ms")
    print("aim: under 250 ms median")
    emit(f"submit -> running, raw_exec, median of {n}", med * 1000, base * 1000, "ms", "<=50")


if __name__ == "__main__":
    main()
