"""Agent restart with 300 running raw_exec tasks (`sleep 600`): the time from starting the
SIGKILLed agent again (same config) to every task re-attached, next to the time to start
the same 300 tasks fresh, measured in the same run.

    python bench/bench_restart.py [-n 300]

Fresh: from registering the job to the server listing all allocations running (each
reported by the client once its driver started the task). Restart: from starting the
agent process to its log line "restored 300 allocations: 300 tasks re-attached" (written
once every driver holds its task again). Prints figures; asserts nothing. Everything it
starts is stopped and removed at the end.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from tests.crash import client_host as host  # noqa: E402
from tests.crash.client_agent import TASK_COMMAND, CrashAgent, job  # noqa: E402


def wait_all_running(agent: CrashAgent, n: int) -> set[str]:
    index = 0
    with httpx.Client(base_url=agent.address, timeout=60) as http:
        while True:
            r = http.get("/v1/job/bench/allocations", params={"index": index, "wait": "10s"})
            allocs = r.json()
            if sum(a["ClientStatus"] == "running" for a in allocs) == n:
                return {a["ID"] for a in allocs}
            index = int(r.headers["X-Nomad-Index"])


def measure(agent: CrashAgent, n: int) -> tuple[float, float]:
    start = time.perf_counter()
    agent.register(job("bench", n))
    wait_all_running(agent, n)
    fresh = time.perf_counter() - start
    agent.kill()
    offset = len(agent.logs())
    start = time.perf_counter()
    agent.start(timeout_s=120)
    line = f"restored {n} allocations: {n} tasks re-attached"
    while line not in agent.logs()[offset:]:
        time.sleep(0.01)
    restart = time.perf_counter() - start
    processes = host.task_processes(agent.data_dir, TASK_COMMAND)
    assert len(processes) == n and all(len(p) == 1 for p in processes.values()), processes
    return fresh, restart


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=300)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as root:
        agent = CrashAgent(root=Path(root), name="bench")
        ids: set[str] = set()
        try:
            agent.start()
            fresh, restart = measure(agent, n)
            ids = {a["ID"] for a in agent.allocs("bench")}
            agent.purge("bench")
            deadline = time.monotonic() + 120
            while host.leftovers(agent.data_dir, ids, TASK_COMMAND) and \
                    time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            agent.kill()
            host.clean_up(agent.data_dir, ids, TASK_COMMAND)
    print(f"agent restart -> all {n} tasks re-attached: {restart:7.2f} s")
    print(f"baseline: start the same {n} tasks fresh:   {fresh:7.2f} s")
    emit(f"agent restart, {n} tasks re-attached vs started fresh", restart, fresh, "s", "<=1x")


if __name__ == "__main__":
    main()
