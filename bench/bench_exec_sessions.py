"""What caravan keeps per open `alloc exec` session on an exec task (issue 14).

    python bench/bench_exec_sessions.py [--sessions 50]

Opens --sessions concurrent sessions (each runs `read`, so each stays open) from one
Python program on one exec task, and measures what they cost beyond the commands
themselves: the agent's RSS growth, the task executor's RSS growth, and every runc
process kept by the agent or the executor while they are open. Baseline, same run: the
RSS of one foreground `runc exec` on the same container (what each session kept
before sessions were started detached by the executor).

Prints figures, then one JSON line per metric (bench/metric.py), for bench/run.
Needs root and runc.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from caravan.api import Client  # noqa: E402
from caravan.api.exec import exec_session  # noqa: E402
from caravan.client.drivers.executor.proc import read_stat  # noqa: E402
from metric import emit  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402

MIB = 1024 * 1024


def rss(pid: int) -> int:
    stat = read_stat(pid)
    return stat.rss_bytes if stat else 0


def children(parent: int) -> list[tuple[int, str]]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:]
        if int(rest.split()[1]) == parent:
            found.append((int(entry), comm))
    return found


def runc_rss(parents: list[int]) -> tuple[int, int]:
    """How many runc processes the given processes keep as children, and their RSS."""
    runcs = [pid for parent in parents for pid, comm in children(parent) if comm == "runc"]
    return len(runcs), sum(map(rss, runcs))


def start_task(agent: AgentProcess) -> tuple[str, str, int]:
    """An exec task running `sleep`: its alloc ID, container ID and executor PID."""
    job = {"Job": {"ID": "sessions", "Type": "service", "Datacenters": ["dc1"],
                   "TaskGroups": [{"Name": "g", "Count": 1, "Tasks": [{
                       "Name": "main", "Driver": "exec", "User": "nobody",
                       "KillTimeout": 200_000_000,
                       "Config": {"command": "/bin/sleep", "args": ["3600"]},
                       "Resources": {"CPU": 500, "MemoryMB": 1024}}]}]}}
    with httpx.Client(base_url=agent.address, timeout=60) as http:
        http.post("/v1/jobs", json=job).raise_for_status()
        alloc_id = ""
        while not alloc_id:
            allocs = http.get("/v1/job/sessions/allocations").json()
            alloc_id = next((a["ID"] for a in allocs if a["ClientStatus"] == "running"), "")
            time.sleep(0.1)
    state = next((agent.data_dir / "client" / "executor" / alloc_id).rglob("state.json"))
    return alloc_id, f"{alloc_id}-main", json.loads(state.read_text())["executor_pid"]


def foreground_runc_exec_rss(runc_root: Path, cid: str) -> int:
    """RSS of a `runc exec` kept in the foreground while its command runs."""
    proc = subprocess.Popen(["runc", "--root", str(runc_root), "exec", cid, "sleep", "5"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        time.sleep(1.0)  # past runc's start-up: what it keeps while the command runs
        return rss(proc.pid)
    finally:
        proc.kill()
        proc.wait()


async def open_sessions(address: str, alloc_id: str, count: int,
                        measure: dict[str, float], probe: Callable[[], None]) -> None:
    with Client(address, env={}) as client:
        sessions = [exec_session(client, alloc_id, "main",
                                 ["/bin/sh", "-c", "echo ready; read x"]) for _ in range(count)]
        start = time.perf_counter()
        opened = await asyncio.gather(*(s.__aenter__() for s in sessions))
        await asyncio.gather(*(anext(s) for s in opened))  # "ready" from every command
        measure["open_s"] = time.perf_counter() - start
        probe()
        for session in opened:
            await session.send_stdin(b"bye\n")
        for session, context in zip(opened, sessions):
            async for _ in session:
                pass
            await context.__aexit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=50)
    count = parser.parse_args().sessions
    with tempfile.TemporaryDirectory(prefix="bench-exec-sessions-") as tmp:
        agent = AgentProcess(root=Path(tmp), name="bench").start()
        try:
            assert agent.proc is not None
            alloc_id, cid, executor = start_task(agent)
            runc_root = agent.data_dir / "client" / "drivers" / "exec" / "runc"
            baseline = foreground_runc_exec_rss(runc_root, cid)
            agent_pid = agent.proc.pid
            asyncio.run(open_sessions(agent.address, alloc_id, 1, {}, lambda: None))  # warm
            before = rss(agent_pid) + rss(executor)
            measure: dict[str, float] = {}

            def probe() -> None:
                helpers, helpers_rss = runc_rss([agent_pid, executor])
                measure["helpers"] = helpers
                measure["grown"] = rss(agent_pid) + rss(executor) + helpers_rss - before

            asyncio.run(open_sessions(agent.address, alloc_id, count, measure, probe))
        finally:
            agent.stop()
    per_session = measure["grown"] / count / MIB
    print(f"{count} concurrent exec sessions: all open and running in "
          f"{measure['open_s'] * 1000:.0f} ms")
    print(f"  runc processes kept while open: {measure['helpers']:.0f}")
    print(f"  kept per session beyond its command (agent + executor + runc): "
          f"{per_session:.2f} MiB")
    print(f"  baseline: one foreground `runc exec`: {baseline / MIB:.2f} MiB")
    emit(f"{count} concurrent exec sessions open", measure["open_s"], None, "s", "<=3")
    emit("RSS per open exec session beyond the command", per_session, baseline / MIB,
         "MiB", "<=2")


if __name__ == "__main__":
    main()
