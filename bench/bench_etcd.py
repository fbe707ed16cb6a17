"""Several servers on etcd next to one server on SQLite, measured in the same run.

    python bench/bench_etcd.py [-jobs 20] [-count 100] [-failovers 5]

1. Placement end to end over HTTP: `-jobs` jobs of `-count` allocations onto 100
   nodes registered over the node API, from the first submit until every allocation
   is placed: one server on SQLite, then three servers on one etcd (submitted to a
   follower, so writes are forwarded).
2. Failover: SIGKILL the leader, then submit a one-allocation job to a survivor (again
   until one accepts it) and time until it is placed; median of `-failovers`.

Prints figures; asserts nothing. Needs etcd (scripts/setup installs etcd-server).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402
from tests.cluster_etcd.cluster import FAKE_NODES, etcd_cluster, register_fake_nodes  # noqa: E402
from tests.etcd_server import EtcdProcess  # noqa: E402
from tests.integration.jobs import raw_exec_job  # noqa: E402


def _job(job_id: str, count: int) -> dict[str, object]:
    return raw_exec_job(job_id, count=count, cpu=10, memory=10, constraints=FAKE_NODES)


def _placed(url: str, job_ids: list[str]) -> int:
    total = 0
    for job_id in job_ids:
        allocs = httpx.get(f"{url}/v1/job/{job_id}/allocations", timeout=60).json()
        total += sum(1 for a in allocs if a["DesiredStatus"] == "run")
    return total


def placement(submit_url: str, read_url: str, jobs: int, count: int, tag: str) -> float:
    ids = [f"{tag}-{n}" for n in range(jobs)]
    start = time.perf_counter()
    for job_id in ids:
        httpx.post(f"{submit_url}/v1/jobs", json=_job(job_id, count),
                   timeout=60).raise_for_status()
    while _placed(read_url, ids) < jobs * count:
        time.sleep(0.05)
    return time.perf_counter() - start


def failover(cluster_root: Path, etcd: EtcdProcess, runs: int) -> list[float]:
    times = []
    with etcd_cluster(cluster_root, etcd, heartbeat_ttl="600s") as cluster:
        register_fake_nodes(cluster.leader().address, 10)
        for n in range(runs):
            leader = cluster.leader()
            survivor = next(s for s in cluster.alive() if s is not leader)
            leader.kill()
            start = time.perf_counter()
            while httpx.post(f"{survivor.address}/v1/jobs", json=_job(f"fo-{n}", 1),
                             timeout=60).status_code != 200:
                time.sleep(0.02)
            while _placed(survivor.address, [f"fo-{n}"]) < 1:
                time.sleep(0.02)
            times.append(time.perf_counter() - start)
            leader.start(120)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-jobs", type=int, default=20)
    parser.add_argument("-count", type=int, default=100)
    parser.add_argument("-failovers", type=int, default=5)
    args = parser.parse_args()
    total = args.jobs * args.count
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        single = AgentProcess(root=root, name="sqlite", dev=False, client=False,
                              heartbeat_grace="600s", min_heartbeat_ttl="600s")
        single.start(120)
        try:
            register_fake_nodes(single.address, 100)
            sqlite_s = placement(single.address, single.address, args.jobs, args.count, "sq")
        finally:
            single.stop()
        etcd = EtcdProcess(root=root / "etcd-home")
        (root / "etcd-home").mkdir()
        etcd.start()
        try:
            with etcd_cluster(root / "three", etcd, heartbeat_ttl="600s") as cluster:
                follower = cluster.followers()[0]
                register_fake_nodes(follower.address, 100)
                etcd_s = placement(follower.address, follower.address, args.jobs, args.count,
                                   "et")
            failovers = failover(root / "failover", etcd, args.failovers)
        finally:
            etcd.stop()
    print(f"placement, {args.jobs} jobs x {args.count} allocs onto 100 nodes, over HTTP:")
    print(f"  3 servers on etcd (via a follower): {total / etcd_s:9.0f} allocs/s ({etcd_s:.2f} s)")
    print(f"  baseline, 1 server on SQLite:       {total / sqlite_s:9.0f} allocs/s "
          f"({sqlite_s:.2f} s)  ratio {sqlite_s / etcd_s:.2f}")
    print(f"leader SIGKILL -> next placement, median of {len(failovers)}: "
          f"{statistics.median(failovers):.2f} s (runs: "
          + ", ".join(f"{t:.2f}" for t in failovers) + "; leader lease TTL 3 s)")
    emit(f"placement on 3 servers on etcd vs 1 on SQLite, {args.jobs}x{args.count}",
         total / etcd_s, total / sqlite_s, "allocs/s", "",
         failover_s=statistics.median(failovers))


if __name__ == "__main__":
    main()
