"""What a heavy request does to everyone else: latency of a cheap request while one runs.

    python bench/bench_heavy_requests.py [--hcl-kb 700] [--groups 5000]

One server agent on loopback. The baseline is the latency of `GET /v1/agent/self` on an
idle agent, measured in the same run; then the same request, sent again and again while
(a) `PUT /v1/jobs/parse` parses a large HCL job file and (b) `PUT /v1/jobs` decodes,
canonicalizes and validates a job of many groups (the last one invalid, so nothing is
placed). With that work on the event loop the cheap request waits for all of it; in a
thread it gets the loop's turns. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402


def hcl_job(kb: int) -> str:
    line = '    key{} = "value number {} with some padding text"'
    entries = kb * 1024 // len(line.format(0, 0))
    meta = "\n".join(line.format(i, i) for i in range(entries))
    return (f'job "big" {{\n  datacenters = ["*"]\n  meta {{\n{meta}\n  }}\n'
            '  group "g" {\n    task "t" {\n      driver = "raw_exec"\n'
            '      config { command = "/bin/true" }\n    }\n  }\n}\n')


def many_groups(count: int) -> dict[str, Any]:
    task = {"Name": "t", "Driver": "raw_exec", "Config": {"command": "/bin/true"}}
    groups: list[dict[str, Any]] = [{"Name": f"g{i}", "Tasks": [task]} for i in range(count)]
    groups[-1]["Count"] = -1
    return {"Job": {"ID": "many", "Type": "batch", "Datacenters": ["*"],
                    "TaskGroups": groups}}


def cheap_latencies(http: httpx.Client, until: threading.Event | None, n: int = 50
                    ) -> list[float]:
    """Milliseconds per cheap request: `n` of them, or as many as fit before `until`."""
    out: list[float] = []
    while (until is None and len(out) < n) or (until is not None and not until.is_set()):
        start = time.perf_counter()
        http.get("/v1/agent/self")
        out.append((time.perf_counter() - start) * 1000)
    return out


def during(http: httpx.Client, address: str, path: str, body: bytes) -> tuple[list[float], float]:
    done = threading.Event()
    took: list[float] = []

    def heavy() -> None:
        start = time.perf_counter()
        httpx.put(address + path, content=body, timeout=300)
        took.append(time.perf_counter() - start)
        done.set()

    worker = threading.Thread(target=heavy)
    worker.start()
    time.sleep(0.05)  # let the body reach the agent first
    latencies = cheap_latencies(http, done)
    worker.join()
    return latencies, took[0]


def show(name: str, latencies: list[float]) -> float:
    print(f"  {name:<38} n={len(latencies):>4}  median {statistics.median(latencies):8.1f} ms"
          f"  max {max(latencies):8.1f} ms")
    return statistics.median(latencies)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hcl-kb", type=int, default=700)
    parser.add_argument("--groups", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        agent = AgentProcess(root=Path(root), name="bench", client=False)
        try:
            agent.start()
            with httpx.Client(base_url=agent.address, timeout=300) as http:
                cheap_latencies(http, None, 50)  # warm-up
                print("GET /v1/agent/self latency")
                idle = show("idle agent (baseline)", cheap_latencies(http, None, 200))
                parse_body = json.dumps({"JobHCL": hcl_job(args.hcl_kb)}).encode()
                lat, took = during(http, agent.address, "/v1/jobs/parse", parse_body)
                show(f"while parsing {args.hcl_kb} KB of HCL ({took:.1f} s)", lat)
                job_body = json.dumps(many_groups(args.groups)).encode()
                lat, took = during(http, agent.address, "/v1/jobs", job_body)
                busy = show(f"while checking {args.groups} groups ({took:.1f} s)", lat)
                emit(f"GET /v1/agent/self while a {args.groups}-group job is checked vs idle",
                     busy, idle, "ms", "")
        finally:
            agent.stop()


if __name__ == "__main__":
    main()
