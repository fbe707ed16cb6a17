"""Watching the cluster: the event stream next to blocking queries, same agent, same writes.

    python bench/bench_event_stream.py [--watchers 100] [--writes 200]

One server agent (no client). Each phase registers --writes jobs one after another
while --watchers clients watch the job table:
1. event stream: `GET /v1/event/stream?topic=Job`, each subscriber counting the Job
   events of this phase's jobs until it has seen every one;
2. baseline: blocking queries `GET /v1/jobs?prefix=<phase>&index=<last>`, each client
   asking again after every answer until the list holds every job.
Figure: watcher-updates per second = watchers x writes / (time from the first write
until the last watcher has seen the last job). A blocking query may fold several
writes into one answer; an event stream delivers every one. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402


def job(job_id: str) -> dict[str, Any]:
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [{
        "Name": "g", "Count": 1, "Tasks": [{
            "Name": "t", "Driver": "raw_exec", "Config": {"command": "/bin/true"},
            "Resources": {"CPU": 10, "MemoryMB": 10}}]}]}}


async def subscriber(http: httpx.AsyncClient, prefix: str, writes: int,
                     opened: list[int]) -> float:
    seen, counted = 0, False
    async with http.stream("GET", "/v1/event/stream", params={"topic": "Job"}) as reply:
        async for line in reply.aiter_lines():
            if line == "{}":
                if not counted:  # the stream's opening heartbeat: this one is subscribed
                    opened.append(1)
                    counted = True
                continue
            for event in json.loads(line)["Events"]:
                if event["Key"].startswith(prefix) and event["Type"] == "JobRegistered":
                    seen += 1
            if seen >= writes:
                return time.perf_counter()
    raise RuntimeError("event stream ended early")


async def poller(http: httpx.AsyncClient, prefix: str, writes: int) -> tuple[float, int]:
    index, answers = 1, 0
    while True:
        reply = await http.get("/v1/jobs", params={"prefix": prefix, "index": str(index),
                                                   "wait": "60s"})
        answers += 1
        index = int(reply.headers["X-Nomad-Index"])
        if len(reply.json()) >= writes:
            return time.perf_counter(), answers


async def write_jobs(http: httpx.AsyncClient, prefix: str, writes: int) -> float:
    started = time.perf_counter()
    for i in range(writes):
        (await http.post("/v1/jobs", json=job(f"{prefix}{i}"))).raise_for_status()
    return started


async def phase(address: str, prefix: str, watchers: int, writes: int,
                watch: Callable[[httpx.AsyncClient], Awaitable[Any]],
                settle: Callable[[], Awaitable[None]]) -> tuple[float, list[Any]]:
    limits = httpx.Limits(max_connections=watchers + 10, max_keepalive_connections=watchers)
    async with httpx.AsyncClient(base_url=address, timeout=120, limits=limits) as http, \
            httpx.AsyncClient(base_url=address, timeout=120) as writer:
        tasks = [asyncio.create_task(watch(http)) for _ in range(watchers)]
        await settle()
        started = await write_jobs(writer, prefix, writes)
        results = await asyncio.gather(*tasks)
    return started, results


async def run(address: str, watchers: int, writes: int) -> tuple[float, float, int]:
    opened: list[int] = []

    async def streams_open() -> None:
        while len(opened) < watchers:  # every subscriber has its opening `{}`
            await asyncio.sleep(0.05)

    started, ends = await phase(
        address, "es-", watchers, writes,
        lambda http: subscriber(http, "es-", writes, opened), streams_open)
    stream_rate = watchers * writes / (max(ends) - started)

    async def polls_parked() -> None:
        await asyncio.sleep(1.0 + watchers / 200)  # let every first query park

    started, results = await phase(address, "bq-", watchers, writes,
                                   lambda http: poller(http, "bq-", writes), polls_parked)
    poll_rate = watchers * writes / (max(t for t, _ in results) - started)
    return stream_rate, poll_rate, sum(n for _, n in results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    with tempfile.TemporaryDirectory(prefix="bench-events-") as root:
        agent = AgentProcess(root=Path(root), name="events", dev=False, client=False,
                             heartbeat_grace="1h", min_heartbeat_ttl="1h")
        try:
            agent.start()
            stream_rate, poll_rate, answers = asyncio.run(
                run(agent.address, args.watchers, args.writes))
        finally:
            agent.stop()
    print(f"{args.watchers} watchers, {args.writes} job registrations each phase")
    print(f"  event stream:      {stream_rate:10,.0f} events/s delivered")
    print(f"  blocking queries:  {poll_rate:10,.0f} updates/s seen "
          f"({answers} answers, {answers / args.watchers:.1f} per watcher)")
    emit(f"job events/s to {args.watchers} event-stream subscribers vs {args.watchers} "
         f"blocking-query clients", stream_rate, poll_rate, "events/s", ">=1x",
         writes=args.writes)


if __name__ == "__main__":
    main()
