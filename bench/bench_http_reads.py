"""Read-heavy HTTP: list endpoints under load, and many blocking queries woken by one write.

    python bench/bench_http_reads.py [--jobs 20] [--duration 5] [--waiters 1000]

One server agent (no client) with one registered node and --jobs one-allocation jobs.
1. Requests/s of `GET /v1/jobs` and `GET /v1/allocations` with 50 keep-alive connections
   (wrk, 2 threads, --duration seconds each), next to `GET /v1/status/leader` (no
   serialization at all) measured the same way in the same run.
2. --waiters blocking queries on `/v1/jobs?index=<current>` parked at once, then one
   write (a job registered): the time from sending the write to each waiter's answer.
   Baseline: one blocking query woken by one write, same agent.
Prints figures; asserts nothing. Needs wrk (scripts/setup installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402

NODE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())


def job(job_id: str) -> dict[str, Any]:
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [{
        "Name": "g", "Count": 1, "Tasks": [{
            "Name": "t", "Driver": "raw_exec", "Config": {"command": "/bin/true"},
            "Resources": {"CPU": 10, "MemoryMB": 10}}]}]}}


def seed(http: httpx.Client, jobs: int) -> None:
    node = {"ID": NODE_ID, "SecretID": SECRET, "Name": "n1", "Datacenter": "dc1",
            "NodePool": "default", "Status": "ready",
            "Drivers": {"raw_exec": {"Detected": True, "Healthy": True}},
            "NodeResources": {"Cpu": {"CpuShares": 100_000}, "Memory": {"MemoryMB": 100_000}}}
    http.put("/v1/node/register", json={"Node": node}).raise_for_status()
    for i in range(jobs):
        http.post("/v1/jobs", json=job(f"job-{i}")).raise_for_status()
    deadline = time.monotonic() + 60
    while len(http.get("/v1/allocations").json()) < jobs and time.monotonic() < deadline:
        time.sleep(0.1)


def wrk(url: str, duration: int) -> float:
    out = subprocess.run(["wrk", "-t2", "-c50", f"-d{duration}s", url], capture_output=True,
                         text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s*([0-9.]+)", out)
    return float(match.group(1)) if match else 0.0


async def blocking_latencies(port: int, waiters: int, http: httpx.Client) -> list[float]:
    """Park `waiters` blocking queries, write once, return each one's wake-up in ms."""
    index = http.get("/v1/jobs").headers["X-Nomad-Index"]
    request = (f"GET /v1/jobs?index={index}&wait=120s HTTP/1.1\r\nHost: x\r\n"
               "Connection: close\r\n\r\n").encode()
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(waiters)]
    for _, writer in conns:
        writer.write(request)
    await asyncio.gather(*(w.drain() for _, w in conns))
    await asyncio.sleep(1.0 + waiters / 500)  # let the agent read and park every request
    answered: list[float] = []

    async def wait(reader: asyncio.StreamReader) -> None:
        await reader.readuntil(b"\r\n\r\n")
        answered.append(time.perf_counter())

    tasks = [asyncio.create_task(wait(r)) for r, _ in conns]
    await asyncio.sleep(0)
    written = time.perf_counter()  # from sending the write: its own commit counts too
    await asyncio.to_thread(lambda: http.post("/v1/jobs", json=job(f"wake-{uuid.uuid4()}"))
                            .raise_for_status())
    await asyncio.gather(*tasks)
    for _, writer in conns:
        writer.close()
    return [max(0.0, t - written) * 1000 for t in answered]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--waiters", type=int, default=1000)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    with tempfile.TemporaryDirectory(prefix="bench-reads-") as root:
        agent = AgentProcess(root=Path(root), name="reads", dev=False, client=False,
                             heartbeat_grace="1h", min_heartbeat_ttl="1h")
        try:
            agent.start()
            with httpx.Client(base_url=agent.address, timeout=120) as http:
                seed(http, args.jobs)
                rates = {}
                if shutil.which("wrk"):
                    for path in ("/v1/status/leader", "/v1/jobs", "/v1/allocations"):
                        rates[path] = wrk(agent.address + path, args.duration)
                one = asyncio.run(blocking_latencies(agent.port, 1, http))
                many = asyncio.run(blocking_latencies(agent.port, args.waiters, http))
        finally:
            agent.stop()
    if rates:
        print(f"1. requests/s, 50 connections, wrk, {args.duration} s each ({args.jobs} jobs)")
        for path, rate in rates.items():
            print(f"  GET {path:<22} {rate:10,.0f}")
        for path in ("/v1/jobs", "/v1/allocations"):
            emit(f"GET {path} ({args.jobs} jobs), 50 connections vs /v1/status/leader",
                 rates[path], rates["/v1/status/leader"], "req/s", ">=2000")
    else:
        print("1. skipped: wrk is not installed (scripts/setup installs it)")
    print(f"2. blocking queries on /v1/jobs woken by one write ({args.waiters} waiting)")
    print(f"  one waiter (baseline):   {one[0]:8.1f} ms")
    print(f"  {len(many)} waiters answered: median {statistics.median(many):8.1f} ms, "
          f"last {max(many):8.1f} ms after the write")
    emit(f"{args.waiters} blocking queries woken by one write, last answer", max(many), one[0],
         "ms", "<=100", answered=len(many))


if __name__ == "__main__":
    main()
