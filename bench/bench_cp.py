"""`alloc cp`'s throughput, next to baselines measured in the same run (issue 13).

    python bench/bench_cp.py [--size 1G]

A file of --size (random bytes) copied into and out of an exec task's container:
`caravan alloc cp` (a whole CLI process: tar written, sent over the exec channel,
unpacked by the copy helper as the task's user), next to `caravan alloc exec ... cat`
(the same channel without tar or helper) and `runc exec <container> cat`
on the same container (stdin into a file, a file to stdout: no tar, no WebSocket), and
`scp` over localhost when this machine has an sshd (a private one on a free loopback
port, as bench_exec.py runs it; nothing is installed for it). Each copy is checked
by size. Prints figures; asserts nothing. Needs root and runc.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_exec import Sshd  # noqa: E402
from metric import emit  # noqa: E402
from tests.agents import CARAVAN, AgentProcess  # noqa: E402

JOB = {"Job": {"ID": "bench", "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [{
    "Name": "g", "Count": 1, "Tasks": [{
        "Name": "main", "Driver": "exec", "User": "nobody", "KillTimeout": 200_000_000,
        "Config": {"command": "/bin/sleep", "args": ["3600"]},
        "Resources": {"CPU": 500, "MemoryMB": 1024}}]}]}}


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def timed(run: Callable[[], None], check: Callable[[], int], size: int) -> tuple[str, float]:
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    got = check()
    if got != size:
        raise RuntimeError(f"copied {got} bytes, not {size}")
    return f"{elapsed:7.2f} s  {size / elapsed / 1e6:7.0f} MB/s", size / elapsed / 1e6


def sh(command: str) -> None:
    subprocess.run(["sh", "-c", command], check=True, stdin=subprocess.DEVNULL)


def make_file(path: Path, size: int) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as f:
        for _ in range(size >> 20):
            f.write(block)
        f.write(block[:size & ((1 << 20) - 1)])


def start_job(agent: AgentProcess) -> str:
    with httpx.Client(base_url=agent.address, timeout=60) as http:
        http.post("/v1/jobs", json=JOB).raise_for_status()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            allocs = http.get("/v1/job/bench/allocations").json()
            alloc_id = next((a["ID"] for a in allocs if a["ClientStatus"] == "running"), "")
            if alloc_id:
                return str(alloc_id)
            time.sleep(0.1)
    raise RuntimeError("the bench job did not start")


def run_bench(agent: AgentProcess, root: Path, size: int) -> None:
    alloc = start_job(agent)
    local = agent.data_dir / "alloc" / alloc / "main" / "local"  # the task's /local
    runc_root = agent.data_dir / "client" / "drivers" / "exec" / "runc"
    cid = subprocess.run(["runc", "--root", str(runc_root), "list", "-q"], capture_output=True,
                         text=True, check=True).stdout.split()[0]
    runc = f"runc --root {runc_root} exec"
    os.environ["CARAVAN_ADDR"] = agent.address
    source = root / "big.bin"
    make_file(source, size)
    out = root / "out.bin"

    rows = [
        (f"copy of {size} bytes into the task (its /local)", None, None),
        ("caravan alloc cp", f"{CARAVAN} alloc cp {source} {alloc}:/local/cp.bin",
         local / "cp.bin"),
        ("caravan alloc exec ... cat > file",
         f"{CARAVAN} alloc exec -t=false {alloc} /bin/sh -c 'cat > /local/exec.bin' < {source}",
         local / "exec.bin"),
        ("runc exec ... cat > file",
         f"{runc} {cid} /bin/sh -c 'cat > /local/runc.bin' < {source}", local / "runc.bin"),
        (f"copy of {size} bytes out of the task", None, None),
        ("caravan alloc cp", f"{CARAVAN} alloc cp {alloc}:/local/cp.bin {out}", out),
        ("caravan alloc exec ... cat file",
         f"{CARAVAN} alloc exec -t=false -i=false {alloc} /bin/cat /local/runc.bin > {out}", out),
        ("runc exec ... cat file", f"{runc} {cid} /bin/cat /local/runc.bin > {out}", out),
    ]
    rates = measure(rows, size)
    emit(f"{size >> 20} MiB into a task: alloc cp vs runc exec cat", rates[0], rates[2], "MB/s",
         "")
    emit(f"{size >> 20} MiB out of a task: alloc cp vs runc exec cat", rates[3], rates[5], "MB/s",
         "")
    scp_baseline(root, source, out, size)


Row = tuple[str, str | None, Path | None]


def measure(rows: list[Row], size: int) -> list[float]:
    """Prints each row; returns the MB/s of each row that copies something."""
    rates = []
    for label, command, result in rows:
        if command is None or result is None:
            print(label)
            continue
        result.unlink(missing_ok=True)
        text, rate = timed(lambda: sh(command), lambda: result.stat().st_size, size)
        rates.append(rate)
        print(f"  {label + ':':36s}{text}", flush=True)
    return rates


def scp_baseline(root: Path, source: Path, out: Path, size: int) -> None:
    if not (shutil.which("sshd") or os.path.exists("/usr/sbin/sshd")):
        print("scp over localhost: skipped, no sshd on this machine (bench_exec.py installs "
              "openssh-server; this bench does not)")
        return
    (root / "ssh").mkdir()
    sshd = Sshd(root / "ssh").start()
    try:
        scp = (f"scp -q -i {root / 'ssh' / 'id'} -P {sshd.port} -o StrictHostKeyChecking=no "
               f"-o UserKnownHostsFile=/dev/null -o BatchMode=yes")
        measure([("scp over localhost", None, None),
                 ("in", f"{scp} {source} root@127.0.0.1:{root}/scp.bin", root / "scp.bin"),
                 ("out", f"{scp} root@127.0.0.1:{root}/scp.bin {out}", out)], size)
    finally:
        sshd.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1G", help="bytes to copy each way (K, M, G)")
    size = parse_size(parser.parse_args().size)
    with tempfile.TemporaryDirectory(prefix="bench-alloc-cp-") as tmp:
        agent = AgentProcess(root=Path(tmp), name="bench").start()
        try:
            run_bench(agent, Path(tmp), size)
        finally:
            agent.stop()


if __name__ == "__main__":
    main()
