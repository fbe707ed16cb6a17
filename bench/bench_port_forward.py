"""`alloc port-forward`'s costs, each next to a direct connection measured in the same run
(issue 13 part 3).

    python bench/bench_port_forward.py [--size 1G] [-n 300] [--concurrency 8]

1. Throughput of --size bytes that a task's server sends on its port, read through
   `caravan alloc port-forward` (the CLI's local listener, a WebSocket, the agent's
   socket to the port) next to a connection straight to the node's port.
2. Requests/s of a small HTTP server run by the task (`python3 -m http.server`, one
   connection per request, as HTTP/1.0), one at a time and --concurrency at a time,
   through the forward and direct. Each forwarded connection is a new WebSocket.

Prints figures; asserts nothing. The agent and the CLI it starts are stopped by PID.
"""

from __future__ import annotations

import argparse
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from tests.agents import CARAVAN, AgentProcess, wait_until  # noqa: E402

SOURCE = ("import os,socket,threading\n"
          "def serve(c):\n"
          " n=int(c.makefile('rb').readline());z=bytes(1<<20)\n"
          " while n>0: c.sendall(z[:min(n,len(z))]);n-=len(z)\n"
          " c.close()\n"
          "s=socket.create_server((os.environ['NOMAD_IP_src'],int(os.environ['NOMAD_PORT_src'])))\n"
          "while True: threading.Thread(target=serve,args=(s.accept()[0],)).start()\n")
SERVE = ('python3 -c "$SOURCE" & mkdir -p local && echo hello > local/index.html && '
         'cd local && exec python3 -m http.server --bind $NOMAD_IP_http $NOMAD_PORT_http '
         '2>/dev/null')
REQUEST = b"GET / HTTP/1.0\r\n\r\n"


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def read_all(port: int, request: bytes) -> int:
    """Send `request`, read until the server closes; the bytes read."""
    total = 0
    buffer = bytearray(1 << 20)
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(request)
        while n := conn.recv_into(buffer):
            total += n
    return total


def throughput(port: int, size: int) -> float:
    start = time.perf_counter()
    got = read_all(port, f"{size}\n".encode())
    elapsed = time.perf_counter() - start
    if got != size:
        raise RuntimeError(f"read {got} bytes, not {size}")
    return size / elapsed / 1e6


def requests_per_s(port: int, n: int, concurrency: int) -> float:
    read_all(port, REQUEST)  # warm-up
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        sizes = list(pool.map(lambda _: read_all(port, REQUEST), range(n)))
    elapsed = time.perf_counter() - start
    if not all(sizes):
        raise RuntimeError("an empty answer")
    return n / elapsed


def start_job(agent: AgentProcess) -> dict[str, Any]:
    job = {"Job": {"ID": "bench", "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [{
        "Name": "g", "Count": 1,
        "Networks": [{"Mode": "host", "DynamicPorts": [{"Label": "src"}, {"Label": "http"}]}],
        "Tasks": [{"Name": "main", "Driver": "raw_exec", "KillTimeout": 200_000_000,
                   "Config": {"command": "/bin/sh", "args": ["-c", SERVE]},
                   "Env": {"SOURCE": SOURCE},
                   "Resources": {"CPU": 500, "MemoryMB": 256}}]}]}}
    with httpx.Client(base_url=agent.address, timeout=60) as http:
        http.post("/v1/jobs", json=job).raise_for_status()

        def running() -> dict[str, Any] | None:
            for stub in http.get("/v1/job/bench/allocations").json():
                if stub["ClientStatus"] == "running":
                    return http.get(f"/v1/allocation/{stub['ID']}").json()  # type: ignore[no-any-return]
            return None

        return wait_until(running, 60, what="the bench job running")  # type: ignore[no-any-return]


def start_forward(agent: AgentProcess, alloc_id: str, out: Path) -> tuple[subprocess.Popen[bytes], dict[str, int]]:
    with out.open("wb") as sink:
        proc = subprocess.Popen([CARAVAN, "alloc", "port-forward", alloc_id, ":src", ":http"],
                                env=agent.env, stdin=subprocess.DEVNULL, stdout=sink,
                                stderr=subprocess.STDOUT)
    lines = wait_until(lambda: len(found := re.findall(
        r"Forwarding from 127\.0\.0\.1:(\d+) -> (\w+)", out.read_text())) == 2 and found, 30,
        what="the Forwarding lines")
    return proc, {remote: int(local) for local, remote in lines}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1G", help="bytes for the throughput run")
    parser.add_argument("-n", type=int, default=300, help="requests per requests/s run")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    size = parse_size(args.size)
    with tempfile.TemporaryDirectory(prefix="bench-port-forward-") as tmp:
        agent = AgentProcess(root=Path(tmp), name="bench").start()
        forward: subprocess.Popen[bytes] | None = None
        try:
            alloc = start_job(agent)
            direct = {p["Label"]: p["Value"]
                      for p in alloc["AllocatedResources"]["Shared"]["Ports"]}
            wait_until(lambda: _answers(direct["http"]), 30, what="the HTTP server")
            forward, local = start_forward(agent, alloc["ID"], Path(tmp) / "forward.out")
            run_bench(direct, local, size, args.n, args.concurrency)
        finally:
            if forward is not None:
                forward.send_signal(signal.SIGTERM)
                forward.wait(10)
            agent.stop()


def _answers(port: int) -> bool:
    try:
        return read_all(port, REQUEST) > 0
    except OSError:
        return False


def run_bench(direct: dict[str, int], local: dict[str, int], size: int, n: int,
              concurrency: int) -> None:
    print(f"1. throughput of {size} bytes from the task's port (MB/s)")
    direct_mbs, forward_mbs = throughput(direct['src'], size), throughput(local['src'], size)
    print(f"  direct to the node's port:      {direct_mbs:8.0f}")
    print(f"  caravan alloc port-forward:     {forward_mbs:8.0f}")
    emit(f"{size >> 20} MiB through alloc port-forward vs direct", forward_mbs, direct_mbs,
         "MB/s", "")
    print(f"2. requests/s of python3 -m http.server, GET / (a connection each), {n} requests")
    for parallel in (1, concurrency):
        print(f"  direct, {parallel} at a time:{' ' * (21 - len(str(parallel)))}"
              f"{requests_per_s(direct['http'], n, parallel):8.0f}")
        print(f"  port-forward, {parallel} at a time:{' ' * (15 - len(str(parallel)))}"
              f"{requests_per_s(local['http'], n, parallel):8.0f}")


if __name__ == "__main__":
    main()
