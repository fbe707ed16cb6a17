"""The exec driver's costs, each next to a baseline measured in the same run (issue 3).

    python bench/bench_exec_driver.py [-n 20] [--tasks 50] [--skip-copy]

1. Task start: allocation received on the client -> task running (the client's own
   `Received` and `Started` event times), median of N, for exec and raw_exec, next to
   a bare `runc run --detach` of an equivalent bundle (built by caravan's bundle code).
2. Building a task's chroot from the default chroot_env: read-only recursive binds in a
   fresh mount namespace (what runc does for us) vs hard-linking (`cp -al`) and copying
   (`cp -a`) the same directories: time and bytes written.
3. Memory caravan itself spends per running exec task: the executor's RSS (and, shown
   apart, the `runc run` process that stays in the foreground), over --tasks tasks.

Prints figures; asserts nothing. Needs root and runc.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path, PurePosixPath
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from caravan.client.drivers.exec.bundle import BundleSpec, write_bundle  # noqa: E402
from caravan.client.drivers.exec.capabilities import DEFAULTS  # noqa: E402
from caravan.client.drivers.exec.resolve import Mount  # noqa: E402
from caravan.client.drivers.executor.proc import read_stat  # noqa: E402
from caravan.config.agent import DEFAULT_CHROOT_ENV  # noqa: E402
from metric import emit  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402


def job(job_id: str, driver: str, count: int = 1, cpu: int = 20, memory: int = 16) -> dict[str, Any]:
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [{
        "Name": "g", "Count": count, "Tasks": [{
            "Name": "t", "Driver": driver, "KillTimeout": 200_000_000,
            "Config": {"command": "/bin/sleep", "args": ["600"]},
            "Resources": {"CPU": cpu, "MemoryMB": memory}}]}]}}


def wait_running(http: httpx.Client, job_id: str, count: int = 1) -> list[dict[str, Any]]:
    index = 0
    while True:
        r = http.get(f"/v1/job/{job_id}/allocations", params={"index": index, "wait": "30s"})
        running = [a for a in r.json() if a["ClientStatus"] == "running"]
        if len(running) >= count:
            return running
        index = int(r.headers["X-Nomad-Index"])


def received_to_started(alloc: dict[str, Any]) -> float:
    events = alloc["TaskStates"]["t"]["Events"]
    times = {e["Type"]: e["Time"] for e in events}
    return (times["Started"] - times["Received"]) / 1e9


def start_latency(http: httpx.Client, driver: str, n: int) -> list[float]:
    out = []
    for i in range(n + 1):
        job_id = f"start-{driver}-{i}"
        http.post("/v1/jobs", json=job(job_id, driver)).raise_for_status()
        if i:  # the first is a warm-up
            out.append(received_to_started(wait_running(http, job_id)[0]))
        else:
            wait_running(http, job_id)
        http.delete(f"/v1/job/{job_id}", params={"purge": "true"})
    return out


def bare_runc(n: int, root: Path) -> list[float]:
    task = root / "bare-task"
    (task / "local").mkdir(parents=True)
    shared = root / "bare-alloc"
    (shared / "logs").mkdir(parents=True)
    chroot = [Mount(Path(h), PurePosixPath(c), True) for h, c in DEFAULT_CHROOT_ENV.items()
              if os.path.exists(h)]
    state_root = root / "runc-root"
    out = []
    for i in range(n + 1):
        cid = f"bench-bare-{i}"
        bundle = write_bundle(root / f"bundle-{i}", BundleSpec(
            argv=["/bin/sleep", "600"], env={"PATH": "/usr/bin:/bin"}, cwd="/", uid=65534,
            gid=65534, additional_gids=[], capabilities=DEFAULTS, root_user=False,
            task_dir=task, shared_dir=shared, chroot=chroot, volumes=[], pid_private=True,
            ipc_private=True, cgroups_path=f"/caravan-bench/{cid}", hostname="bench"))
        start = time.perf_counter()
        subprocess.run(["runc", "--root", str(state_root), "run", "--detach", "--bundle",
                        str(bundle), cid], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        subprocess.run(["runc", "--root", str(state_root), "delete", "--force", cid], check=True)
        if i:
            out.append(elapsed)
    for leftover in Path("/sys/fs/cgroup").glob("*/caravan-bench"):
        leftover.rmdir()
    return out


def chroot_build(root: Path, skip_copy: bool) -> None:
    sources = [h for h in DEFAULT_CHROOT_ENV if os.path.exists(h)]
    # /bin, /lib, /sbin are links into /usr on merged-/usr systems: copy each real dir once.
    real = sorted({Path(h).resolve() for h in sources})
    distinct = [p for p in real if not any(p != q and p.is_relative_to(q) for q in real)]
    target = root / "bind-root"
    script = "; ".join(f"mkdir -p {target}{h} && mount --rbind -o ro {h} {target}{h}"
                       for h in sources)
    start = time.perf_counter()
    subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                   check=True)
    bind_s = time.perf_counter() - start
    bind_bytes = _du(target)
    print(f"  read-only binds (caravan):  {bind_s * 1000:9.1f} ms, {bind_bytes:>13,} bytes "
          f"written ({len(sources)} dirs)")
    for label, flags, skip in (("hard links (cp -al)", "-al", False),
                               ("copy (cp -a)", "-a", skip_copy)):
        if skip:
            size = sum(_du(p) for p in distinct)
            print(f"  {label:26s} skipped; it would write {size:,} bytes")
            continue
        dest = root / f"copy{flags}"
        dest.mkdir()
        start = time.perf_counter()
        for src in distinct:
            (dest / src.relative_to("/")).parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["cp", flags, str(src), str(dest / src.relative_to("/"))],
                           check=False, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        written = _du(dest, hard_links_free=flags == "-al")
        print(f"  {label:26s} {elapsed * 1000:9.1f} ms, {written:>13,} bytes written")
        shutil.rmtree(dest, ignore_errors=True)


def _du(path: Path, hard_links_free: bool = False) -> int:
    """Bytes of blocks allocated under `path`, not crossing mounts (hard links count once,
    and links to files outside count nothing when `hard_links_free`)."""
    args = ["du", "-s", "-x", "-B1", str(path)]
    out = subprocess.run(args, capture_output=True, text=True, check=False).stdout
    total = int(out.split()[0]) if out.strip() else 0
    if hard_links_free:  # du counts a hard-linked file once, but it was never new data
        files = subprocess.run(["find", str(path), "-xdev", "-type", "f", "-links", "+1",
                                "-printf", "%b\n"], capture_output=True, text=True).stdout
        total -= sum(int(b) * 512 for b in files.split())
    return max(total, 0)


def rss_kib(pid: int) -> int:
    stat = read_stat(pid)
    return stat.rss_bytes // 1024 if stat else 0


def runc_children(parent: int) -> list[int]:
    """runc processes the executor keeps (a foreground `runc run`; none when detached)."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:]
        if comm == "runc" and int(rest.split()[1]) == parent:
            found.append(int(entry))
    return found


def memory_per_task(http: httpx.Client, agent: AgentProcess, tasks: int) -> None:
    assert agent.proc is not None
    agent_before = rss_kib(agent.proc.pid)
    http.post("/v1/jobs", json=job("many", "exec", count=tasks, cpu=10, memory=10)
              ).raise_for_status()
    wait_running(http, "many", tasks)
    executors, runcs = [], []
    for state in (agent.data_dir / "client").rglob("state.json"):
        info = json.loads(state.read_text())
        if "executor_pid" not in info:
            continue  # not an executor's state file
        executors.append(rss_kib(info["executor_pid"]))
        runcs.append(sum(map(rss_kib, runc_children(info["executor_pid"]))))
    agent_after = rss_kib(agent.proc.pid)
    print(f"  {len(executors)} exec tasks running")
    print(f"  executor RSS per task:   mean {statistics.mean(executors) / 1024:6.1f} MiB, "
          f"max {max(executors) / 1024:6.1f} MiB   (aim: under 15 MiB)")
    print(f"  `runc run` RSS per task: mean {statistics.mean(runcs) / 1024:6.1f} MiB "
          "(a foreground runc the executor keeps; 0 when it runs the task detached)")
    print(f"  agent RSS: {agent_before / 1024:.1f} MiB before, {agent_after / 1024:.1f} MiB "
          f"with the tasks ({(agent_after - agent_before) / 1024 / tasks:.2f} MiB per task)")
    print("  baseline (Nomad, from its docs and issue 3): two helper processes of about "
          "18 MB each per exec task")
    kept = statistics.mean(executors) + (statistics.mean(runcs) if runcs else 0)
    emit("RSS caravan keeps per running exec task (executor + runc)", kept / 1024, None, "MiB", "<=12")
    http.delete("/v1/job/many", params={"purge": "true"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--skip-copy", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-exec-") as tmp:
        root = Path(tmp)
        agent = AgentProcess(root=root, name="bench").start()
        try:
            with httpx.Client(base_url=agent.address, timeout=60) as http:
                exec_runs = start_latency(http, "exec", args.n)
                raw_runs = start_latency(http, "raw_exec", args.n)
                print(f"1. task start, allocation received -> running, median of {args.n}:")
                print(f"  exec:      {statistics.median(exec_runs) * 1000:8.1f} ms")
                print(f"  raw_exec:  {statistics.median(raw_runs) * 1000:8.1f} ms")
                bare = bare_runc(args.n, root)
                print(f"  baseline: bare `runc run --detach` of an equivalent bundle: "
                      f"{statistics.median(bare) * 1000:8.1f} ms")
                print(f"  exec / bare runc: {statistics.median(exec_runs) / statistics.median(bare):.2f}x"
                      "   (aim: within 1.5x)")
                emit(f"exec task start, received -> running, median of {args.n}",
                     statistics.median(exec_runs) * 1000, statistics.median(bare) * 1000, "ms",
                     "<=1.2x", raw_exec_ms=statistics.median(raw_runs) * 1000)
                print("2. building a task's chroot from the default chroot_env:")
                chroot_build(root, args.skip_copy)
                print(f"3. memory per running exec task ({args.tasks} tasks):")
                memory_per_task(http, agent, args.tasks)
        finally:
            agent.stop(timeout_s=60)


if __name__ == "__main__":
    main()
